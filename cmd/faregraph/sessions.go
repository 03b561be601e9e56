package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/checkout"
)

const sessionsUsage = "usage: faregraph sessions list [--status NEEDS_ATTENTION] [--limit 100] | sessions resolve SESSION-ID --as booked|failed [--part N] [--reference PROVIDER-REF]"

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

func sessionsList(ctx context.Context, cfg config, args []string, out, notice io.Writer) error {
	fs := flag.NewFlagSet("sessions list", flag.ContinueOnError)
	fs.SetOutput(notice)
	status := fs.String("status", string(checkout.NeedsAttention), "the status to list")
	limit := fs.Int("limit", 100, "at most this many sessions, oldest change first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := operatorApp(ctx, cfg, notice)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.Checkout.SessionsIn(ctx, checkout.Status(*status), *limit)
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
		parts := ""
		for i, p := range s.Parts {
			if i > 0 {
				parts += ","
			}
			parts += fmt.Sprintf("%d:%s:%s", i, s.Offer.Parts[i].Provider, p.Status)
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
	part := fs.Int("part", -1, "the part to decide (index, as sessions list shows); every undecided part when absent")
	ref := fs.String("reference", "", "the provider's booking reference (cp_reference, LiteAPI bookingId), required with --as booked")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *as != "booked" && *as != "failed" {
		return errors.New("--as must be booked or failed")
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
