package schema

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

// TestEverythingDescribed fails on a type, field, argument, input field,
// enum value or directive of schema.graphql without a description, and on
// a @deprecated without a reason.
func TestEverythingDescribed(t *testing.T) {
	s := load(t, "schema.graphql", read(t, "../schema.graphql"))
	for _, m := range Undescribed(s) {
		t.Errorf("no description: %s", m)
	}
}

// Undescribed lists the coordinates of s that lack a description, and
// deprecations without a reason.
func Undescribed(s *ast.Schema) []string {
	var out []string
	need := func(coord, desc string) {
		if strings.TrimSpace(desc) == "" {
			out = append(out, coord)
		}
	}
	reason := func(coord string, ds ast.DirectiveList) {
		if d := ds.ForName("deprecated"); d != nil && (d.Arguments.ForName("reason") == nil || strings.TrimSpace(d.Arguments.ForName("reason").Value.Raw) == "") {
			out = append(out, coord+" (@deprecated without a reason)")
		}
	}
	for name, d := range s.Types {
		if d.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		need(name, d.Description)
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			coord := name + "." + f.Name
			need(coord, f.Description)
			reason(coord, f.Directives)
			for _, a := range f.Arguments {
				need(coord+"("+a.Name+":)", a.Description)
			}
		}
		for _, v := range d.EnumValues {
			need(name+"."+v.Name, v.Description)
			reason(name+"."+v.Name, v.Directives)
		}
	}
	for name, d := range s.Directives {
		if d.Position == nil || d.Position.Src.BuiltIn {
			continue
		}
		need("@"+name, d.Description)
		for _, a := range d.Arguments {
			need("@"+name+"("+a.Name+":)", a.Description)
		}
	}
	return out
}
