package server_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/faregraph/faregraph/graph"
)

func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	src, err := os.ReadFile("../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	s, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(src)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	return s
}

func format(s *ast.Schema) string {
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithComments()).FormatSchema(s)
	return b.String()
}

// TestServedSchemaIsSchemaFile proves the schema the server executes (the
// generated code) is schema.graphql, and that introspection over HTTP
// describes the same types and fields.
func TestServedSchemaIsSchemaFile(t *testing.T) {
	file := loadSchema(t)
	a := newTestApp(t, nil)
	served := graph.NewExecutableSchema(graph.Config{}).Schema()
	if diff := cmp.Diff(format(file), format(served)); diff != "" {
		t.Fatalf("served schema differs from schema.graphql (run go generate ./...):\n%s", diff)
	}

	resp := post(t, a.Handler, `{ __schema { types { name kind fields(includeDeprecated: true) { name type { ...T } } inputFields { name type { ...T } } enumValues(includeDeprecated: true) { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`, nil)
	types := resp.Data["__schema"].(map[string]any)["types"].([]any)
	got := map[string][]string{}
	for _, ty := range types {
		m := ty.(map[string]any)
		name := m["name"].(string)
		if strings.HasPrefix(name, "__") {
			continue
		}
		for _, key := range []string{"fields", "inputFields", "enumValues"} {
			list, _ := m[key].([]any)
			for _, f := range list {
				fm := f.(map[string]any)
				entry := fm["name"].(string)
				if tr, ok := fm["type"].(map[string]any); ok {
					entry += ": " + typeString(tr)
				}
				got[name] = append(got[name], entry)
			}
		}
		if got[name] == nil {
			got[name] = []string{}
		}
	}
	want := map[string][]string{}
	for name, def := range file.Types {
		if strings.HasPrefix(name, "__") {
			continue
		}
		want[name] = []string{}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			want[name] = append(want[name], f.Name+": "+f.Type.String())
		}
		for _, v := range def.EnumValues {
			want[name] = append(want[name], v.Name)
		}
	}
	for _, m := range []map[string][]string{got, want} {
		for k := range m {
			sort.Strings(m[k])
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("introspection differs from schema.graphql (-file +served):\n%s", diff)
	}
}

func typeString(t map[string]any) string {
	switch t["kind"] {
	case "NON_NULL":
		return typeString(t["ofType"].(map[string]any)) + "!"
	case "LIST":
		return "[" + typeString(t["ofType"].(map[string]any)) + "]"
	default:
		return t["name"].(string)
	}
}

// TestExamplesValidate proves every operation in examples/ is valid
// against schema.graphql.
func TestExamplesValidate(t *testing.T) {
	s := loadSchema(t)
	files, err := filepath.Glob("../examples/*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, perr := gqlparser.LoadQuery(s, string(src))
			if perr != nil {
				t.Fatalf("%s: %v", f, perr)
			}
			if len(doc.Operations) == 0 {
				t.Fatalf("%s has no operation", f)
			}
		})
	}
}

// TestExamplesTakeDatesAsVariables: no example operation hard-codes a
// travel date (departureDate, returnDate), which would slip into the past;
// they are variables. README's results-page URL gives no date either.
func TestExamplesTakeDatesAsVariables(t *testing.T) {
	s := loadSchema(t)
	files, err := filepath.Glob("../examples/*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	var check func(f, name string, v *ast.Value)
	check = func(f, name string, v *ast.Value) {
		if (name == "departureDate" || name == "returnDate") && v.Kind != ast.Variable {
			t.Errorf("%s: %s is the literal %s, not a variable", filepath.Base(f), name, v.String())
		}
		for _, c := range v.Children {
			check(f, c.Name, c.Value)
		}
	}
	var walk func(f string, set ast.SelectionSet)
	walk = func(f string, set ast.SelectionSet) {
		for _, sel := range set {
			switch x := sel.(type) {
			case *ast.Field:
				for _, a := range x.Arguments {
					check(f, a.Name, a.Value)
				}
				walk(f, x.SelectionSet)
			case *ast.InlineFragment:
				walk(f, x.SelectionSet)
			}
		}
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, perr := gqlparser.LoadQuery(s, string(src))
		if perr != nil {
			t.Fatalf("%s: %v", f, perr)
		}
		for _, op := range doc.Operations {
			walk(f, op.SelectionSet)
		}
		for _, fr := range doc.Fragments {
			walk(f, fr.SelectionSet)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`[?&]date=\d{4}-\d\d-\d\d`).Find(readme); m != nil {
		t.Errorf("README.md gives the results page the fixed date %s", m)
	}
}
