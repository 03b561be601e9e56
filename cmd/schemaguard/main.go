// Command schemaguard compares a GraphQL schema with a baseline and exits
// 1 on a breaking change that the changelog's Unreleased section does not
// name (see package schema). A frontend team runs it in its own CI with
// the schema snapshot its generated code was made from as the baseline:
//
//	go run github.com/faregraph/faregraph/cmd/schemaguard -baseline snapshot.graphql -schema schema.graphql
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faregraph/faregraph/schema"
)

func main() {
	err := run(os.Args[1:], os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return // -h or -help: the usage is printed, and asking for it is no failure
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemaguard:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("schemaguard", flag.ContinueOnError)
	baseline := fs.String("baseline", "schema/released.graphql", "the schema clients were written against")
	current := fs.String("schema", "schema.graphql", "the schema to check")
	changelog := fs.String("changelog", "", "a CHANGELOG.md whose Unreleased section accepts breaking changes (none when empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	old, err := loadFile(*baseline)
	if err != nil {
		return err
	}
	cur, err := loadFile(*current)
	if err != nil {
		return err
	}
	notes := ""
	if *changelog != "" {
		b, err := os.ReadFile(*changelog)
		if err != nil {
			return err
		}
		notes = string(b)
	}
	left := schema.Check(old, cur, notes)
	for _, c := range left {
		fmt.Fprintln(out, c)
	}
	if len(left) > 0 {
		return fmt.Errorf("%d breaking change(s) from %s to %s", len(left), *baseline, *current)
	}
	fmt.Fprintf(out, "no breaking change from %s to %s\n", *baseline, *current)
	return nil
}

func loadFile(path string) (*ast.Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return schema.Load(path, string(b))
}
