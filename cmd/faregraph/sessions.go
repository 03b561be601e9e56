package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
)

const sessionsUsage = "usage: faregraph sessions list [--status NEEDS_ATTENTION] [--limit 100] [--booked-late] | sessions resolve SESSION-ID --as booked|failed [--part N] [--reference PROVIDER-REF]"

// sessions runs the operator's subcommands on checkout sessions: "list"
// prints the sessions in a status (NEEDS_ATTENTION by default), and
// "resolve" decides a session whose booking outcome a provider left
// unknown. Results go to out, notices to notice.
func sessions(ctx context.Context, cfg config, args []string, out, notice io.Writer) error {
	if len(args) == 0 {
		return errors.New(sessionsUsage)
	}
	switch args[0] {
	case "list":
		return sessionsList(ctx, cfg, args[1:], out, notice)
	case "resolve":
		return sessionsResolve(ctx, cfg, args[1:], out, notice)
	default:
		return errors.New(sessionsUsage)
	}
}

// operatorApp opens the application (database, providers, gateway) the
// way serve does, for a command that runs saga steps.
func operatorApp(ctx context.Context, cfg config, notice io.Writer) (*app.App, error) {
	fmt.Fprintf(notice, "faregraph: using %s\n", dbLocation(cfg))
	return app.New(ctx, cfg.App)
}

// maxListed is the most sessions one "sessions list" prints.
const maxListed = 1000

func sessionsList(ctx context.Context, cfg config, args []string, out, notice io.Writer) error {
	fs := flag.NewFlagSet("sessions list", flag.ContinueOnError)
	fs.SetOutput(notice)
	status := fs.String("status", string(checkout.NeedsAttention), "the status to list (any case)")
	limit := fs.Int("limit", 100, "at most this many sessions (1 to 1000), oldest change first")
	late := fs.Bool("booked-late", false, "list the sessions, whatever their status, with a booking a provider confirmed after the session was decided without it")
	if err := parseFlags(fs, args, sessionsUsage); err != nil {
		return err
	}
	st := strings.ToUpper(strings.TrimSpace(*status))
	if !slices.Contains(db.SessionStatuses, st) {
		return fmt.Errorf("--status: %q is not a checkout session status (one of %s)\n%s", *status, strings.Join(db.SessionStatuses, ", "), sessionsUsage)
	}
	if *limit < 1 || *limit > maxListed {
		return fmt.Errorf("--limit: must be from 1 to %d, not %d\n%s", maxListed, *limit, sessionsUsage)
	}
	a, err := operatorApp(ctx, cfg, notice)
	if err != nil {
		return err
	}
	defer a.Close()
	var list []*checkout.Session
	if *late {
		list, err = a.Checkout.SessionsBookedLate(ctx, *limit)
	} else {
		list, err = a.Checkout.SessionsIn(ctx, checkout.Status(st), *limit)
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SESSION\tTENANT\tSTATUS\tUPDATED\tATTEMPTS\tNEXT LOOKUP\tPARTS\tGATEWAY\tFAILURE")
	ours := a.Checkout.Gateway().Name()
	for _, s := range list {
		next := "-"
		if s.ReconcileAt != nil {
			next = s.ReconcileAt.UTC().Format(time.RFC3339)
		}
		late := checkout.BookedLate(s)
		parts := ""
		for i, p := range s.Parts {
			if i > 0 {
				parts += ","
			}
			parts += fmt.Sprintf("%d:%s:%s", i, s.Offer.Parts[i].Provider, p.Status)
			if slices.Contains(late, i) {
				parts += ":BOOKED_LATE"
			}
		}
		failure := "-"
		if s.Failure != nil {
			failure = string(s.Failure.Code)
		}
		// The gateway the payment was made through: its captures, voids
		// and resumed steps wait for a replica configured with it.
		gw := s.PaymentGateway()
		switch {
		case gw == "":
			gw = "-"
		case gw != ours:
			gw += " (not " + ours + ": left to replicas with " + gw + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.TenantID, s.Status, s.UpdatedAt.UTC().Format(time.RFC3339), s.ReconcileAttempts, next, parts, gw, failure)
	}
	return tw.Flush()
}

func sessionsResolve(ctx context.Context, cfg config, args []string, out, notice io.Writer) error {
	if len(args) == 0 || len(args[0]) == 0 || args[0][0] == '-' {
		return errors.New(sessionsUsage)
	}
	id := args[0]
	fs := flag.NewFlagSet("sessions resolve", flag.ContinueOnError)
	fs.SetOutput(notice)
	as := fs.String("as", "", "booked or failed")
	part := fs.Int("part", -1, "the part to decide (index from 0, as sessions list shows); every undecided part when absent")
	ref := fs.String("reference", "", "the provider's booking reference (cp_reference, LiteAPI bookingId), required with --as booked")
	if err := parseFlags(fs, args[1:], sessionsUsage); err != nil {
		return err
	}
	if *as != "booked" && *as != "failed" {
		return fmt.Errorf("--as: must be booked or failed\n%s", sessionsUsage)
	}
	partSet := false
	fs.Visit(func(f *flag.Flag) { partSet = partSet || f.Name == "part" })
	if partSet && *part < 0 {
		return fmt.Errorf("--part: must be a part's index, 0 or more, not %d\n%s", *part, sessionsUsage)
	}
	a, err := operatorApp(ctx, cfg, notice)
	if err != nil {
		return err
	}
	defer a.Close()
	s, err := a.Checkout.Resolve(ctx, id, *part, *as == "booked", *ref)
	if errors.Is(err, checkout.ErrNotFound) {
		return fmt.Errorf("no checkout session %q", id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s is %s", s.ID, s.Status)
	if s.Payment != nil {
		fmt.Fprintf(out, "; payment %s, %d of %d %s captured", s.Payment.Status, s.Payment.Captured, s.Payment.Amount, s.Payment.Currency)
	}
	fmt.Fprintln(out)
	return nil
}
