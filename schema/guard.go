// Package schema guards faregraph's public contract against breaking
// changes. It compares a schema with a baseline (schema/released.graphql,
// the schema of the last release) and lists what would break a client
// written against the baseline; a breaking change is accepted only when
// the Unreleased section of CHANGELOG.md names its schema coordinate on a
// "Breaking:" line (see Allowed).
//
// What breaks a client:
//
//   - a removed type, field, input field, argument or enum value (a removed
//     field, argument or enum value must also have been deprecated in the
//     baseline: it is on its way out for at least one release first);
//   - a changed type: another kind (an object that became an interface),
//     another named type, a list that became a scalar, an object that no
//     longer implements an interface;
//   - an output that may now be null where it never was (String! to
//     String), since clients generated from the baseline do not check it;
//   - an input that must now be given where it could be left out (String
//     to String!), and a new argument or input field that is non-null
//     without a default, since requests written for the baseline omit it.
//
// Additions (types, fields, optional arguments and input fields, enum
// values, deprecations) are not breaking.
package schema

import (
	"bufio"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Kind is a kind of breaking change.
type Kind string

// The kinds of breaking change.
const (
	TypeRemoved          Kind = "type removed"
	FieldRemoved         Kind = "field removed"
	ArgumentRemoved      Kind = "argument removed"
	EnumValueRemoved     Kind = "enum value removed"
	TypeChanged          Kind = "type changed"
	OutputMayBeNull      Kind = "output nullability loosened"
	InputRequired        Kind = "input nullability tightened"
	RequiredAdded        Kind = "required argument or input field added"
	RemovedNotDeprecated Kind = "removed without a deprecation first"
)

// Change is one breaking change at a schema coordinate: "Type",
// "Type.field", "Type.field(arg:)" or "Enum.VALUE".
type Change struct {
	Coordinate string
	Kind       Kind
	Detail     string
}

func (c Change) String() string {
	s := c.Coordinate + ": " + string(c.Kind)
	if c.Detail != "" {
		s += " (" + c.Detail + ")"
	}
	return s
}

// Load parses and validates a schema document.
func Load(name, src string) (*ast.Schema, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: name, Input: src})
	if err != nil {
		return nil, fmt.Errorf("schema: %s: %w", name, err)
	}
	return s, nil
}

// Breaking lists the changes from old to cur that break a client written
// against old, ordered by coordinate.
func Breaking(old, cur *ast.Schema) []Change {
	var out []Change
	add := adder(func(coord string, k Kind, format string, args ...any) {
		out = append(out, Change{Coordinate: coord, Kind: k, Detail: fmt.Sprintf(format, args...)})
	})
	for name, ot := range old.Types {
		if ot.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		nt := cur.Types[name]
		if nt == nil {
			add(name, TypeRemoved, "")
			continue
		}
		if nt.Kind != ot.Kind {
			add(name, TypeChanged, "%s became %s", ot.Kind, nt.Kind)
			continue
		}
		for _, iface := range ot.Interfaces {
			if !contains(nt.Interfaces, iface) {
				add(name, TypeChanged, "no longer implements %s", iface)
			}
		}
		switch ot.Kind {
		case ast.Object, ast.Interface:
			outputFields(ot, nt, add)
		case ast.InputObject:
			inputFields(ot, nt, add)
		case ast.Enum:
			for _, v := range ot.EnumValues {
				if nt.EnumValues.ForName(v.Name) == nil {
					add.removed(name+"."+v.Name, EnumValueRemoved, v.Directives)
				}
			}
		case ast.Union:
			for _, m := range ot.Types {
				if !contains(nt.Types, m) {
					add(name, TypeChanged, "no longer includes %s", m)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Coordinate != out[j].Coordinate {
			return out[i].Coordinate < out[j].Coordinate
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

type adder func(coord string, k Kind, format string, args ...any)

// removed reports a removal of kind k at coord, and that it was not
// deprecated first when its directives in the baseline do not say so.
func (add adder) removed(coord string, k Kind, directives ast.DirectiveList) {
	add(coord, k, "")
	if directives.ForName("deprecated") == nil {
		add(coord, RemovedNotDeprecated, "")
	}
}

func outputFields(ot, nt *ast.Definition, add adder) {
	for _, of := range ot.Fields {
		if strings.HasPrefix(of.Name, "__") {
			continue
		}
		coord := ot.Name + "." + of.Name
		nf := nt.Fields.ForName(of.Name)
		if nf == nil {
			add.removed(coord, FieldRemoved, of.Directives)
			continue
		}
		compareType(coord, of.Type, nf.Type, true, add)
		for _, oa := range of.Arguments {
			acoord := coord + "(" + oa.Name + ":)"
			na := nf.Arguments.ForName(oa.Name)
			if na == nil {
				add.removed(acoord, ArgumentRemoved, oa.Directives)
				continue
			}
			compareType(acoord, oa.Type, na.Type, false, add)
		}
		for _, na := range nf.Arguments {
			if of.Arguments.ForName(na.Name) == nil && required(na.Type, na.DefaultValue) {
				add(coord+"("+na.Name+":)", RequiredAdded, "%s without a default", na.Type)
			}
		}
	}
}

func inputFields(ot, nt *ast.Definition, add adder) {
	for _, of := range ot.Fields {
		coord := ot.Name + "." + of.Name
		nf := nt.Fields.ForName(of.Name)
		if nf == nil {
			add.removed(coord, FieldRemoved, of.Directives)
			continue
		}
		compareType(coord, of.Type, nf.Type, false, add)
	}
	for _, nf := range nt.Fields {
		if ot.Fields.ForName(nf.Name) == nil && required(nf.Type, nf.DefaultValue) {
			add(ot.Name+"."+nf.Name, RequiredAdded, "%s without a default", nf.Type)
		}
	}
}

func required(t *ast.Type, def *ast.Value) bool { return t.NonNull && def == nil }

// compareType reports a type change at coord: another named type or list
// shape, or nullability changed in the direction that breaks clients
// (outputs that may now be null, inputs that must now be given), at any
// list depth.
func compareType(coord string, old, cur *ast.Type, output bool, add adder) {
	if (old.Elem == nil) != (cur.Elem == nil) || (old.Elem == nil && old.NamedType != cur.NamedType) {
		add(coord, TypeChanged, "%s became %s", old, cur)
		return
	}
	switch {
	case output && old.NonNull && !cur.NonNull:
		add(coord, OutputMayBeNull, "%s became %s", old, cur)
	case !output && !old.NonNull && cur.NonNull:
		add(coord, InputRequired, "%s became %s", old, cur)
	}
	if old.Elem != nil {
		compareType(coord, old.Elem, cur.Elem, output, add)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// coordinateRe matches a schema coordinate in backticks.
var coordinateRe = regexp.MustCompile("`([_A-Za-z][_0-9A-Za-z]*(?:\\.[_A-Za-z][_0-9A-Za-z]*(?:\\([_A-Za-z][_0-9A-Za-z]*:\\))?)?)`")

// Allowed returns the schema coordinates whose breaking changes the
// changelog accepts: every coordinate in backticks on a list item of the
// "## Unreleased" section that starts with "- Breaking:", like
//
//   - Breaking: `Payment.status` is the enum PaymentStatus (was String); the values are the same.
func Allowed(changelog string) map[string]bool {
	ok := map[string]bool{}
	in := false
	sc := bufio.NewScanner(strings.NewReader(changelog))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(line, "## ")), "Unreleased")
			continue
		}
		if !in || !strings.HasPrefix(strings.TrimSpace(line), "- Breaking:") {
			continue
		}
		for _, m := range coordinateRe.FindAllStringSubmatch(line, -1) {
			ok[m[1]] = true
		}
	}
	return ok
}

// Check returns the breaking changes from old to cur that the changelog
// does not accept. A removal that was not deprecated in old is refused
// whatever the changelog says.
func Check(old, cur *ast.Schema, changelog string) []Change {
	ok := Allowed(changelog)
	var out []Change
	for _, c := range Breaking(old, cur) {
		if c.Kind == RemovedNotDeprecated || !ok[c.Coordinate] {
			out = append(out, c)
		}
	}
	return out
}
