package server

import (
	"context"
	"fmt"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faregraph/faregraph/fault"
)

// Every list input of the schema carries @maxItems(n) and says "At most n"
// in its description (a test checks both). Lists are checked twice:
//
//   - before the body is decoded, no JSON array in it may have more than
//     MaxListItems items, so that a list of 200,000 strings in the
//     variables is refused for the cost of reading it, not of decoding it
//     into Go values;
//   - after the variables are coerced, every list argument and input
//     field, literal or variable, against its own @maxItems.
const (
	// MaxListItems is the most items of any list input in the schema,
	// and the most items of any JSON array in a request.
	MaxListItems = 100
	// maxJSONDepth bounds how deeply a request's JSON may nest.
	maxJSONDepth = 64
)

// listLimits refuses list inputs longer than their @maxItems.
type listLimits struct{ schema *ast.Schema }

var (
	_ graphql.HandlerExtension        = listLimits{}
	_ graphql.OperationContextMutator = listLimits{}
)

func (listLimits) ExtensionName() string { return "ListLimits" }

func (listLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l listLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if err := l.selectionSet(oc.Operation.SelectionSet, oc.Variables); err != nil {
		return err
	}
	for _, f := range oc.Doc.Fragments {
		if err := l.selectionSet(f.SelectionSet, oc.Variables); err != nil {
			return err
		}
	}
	return nil
}

// selectionSet checks the arguments of every field of set, not following
// fragment spreads: MutateOperationContext checks each fragment once.
func (l listLimits) selectionSet(set ast.SelectionSet, vars map[string]any) *gqlerror.Error {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Definition != nil {
				for _, arg := range sel.Arguments {
					def := sel.Definition.Arguments.ForName(arg.Name)
					if def == nil {
						continue
					}
					v, err := arg.Value.Value(vars)
					if err != nil {
						continue
					}
					if err := l.value(def.Type, def.Directives, v, arg.Name); err != nil {
						return err
					}
				}
			}
			if err := l.selectionSet(sel.SelectionSet, vars); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := l.selectionSet(sel.SelectionSet, vars); err != nil {
				return err
			}
		}
	}
	return nil
}

// value checks v, of type t declared with dirs, at path.
func (l listLimits) value(t *ast.Type, dirs ast.DirectiveList, v any, path string) *gqlerror.Error {
	if v == nil {
		return nil
	}
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			// One value given for a list is a list of one.
			return l.value(t.Elem, nil, v, path)
		}
		if n, ok := maxItems(dirs); ok && len(items) > n {
			err := &gqlerror.Error{
				Message:    fmt.Sprintf("%s: at most %d items", path, n),
				Extensions: map[string]any{"code": fault.BadUserInput, "field": path},
			}
			return err
		}
		for i, item := range items {
			if err := l.value(t.Elem, nil, item, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	}
	def := l.schema.Types[t.NamedType]
	fields, ok := v.(map[string]any)
	if def == nil || def.Kind != ast.InputObject || !ok {
		return nil
	}
	for _, f := range def.Fields {
		if fv, ok := fields[f.Name]; ok {
			if err := l.value(f.Type, f.Directives, fv, path+"."+f.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxItems is the n of a @maxItems(n) among dirs.
func maxItems(dirs ast.DirectiveList) (int, bool) {
	d := dirs.ForName("maxItems")
	if d == nil {
		return 0, false
	}
	a := d.Arguments.ForName("n")
	if a == nil || a.Value == nil {
		return 0, false
	}
	n, err := strconv.Atoi(a.Value.Raw)
	return n, err == nil
}

// longestJSONArray scans JSON text once without decoding it and returns
// the most items of any array in it. ok is false when the text nests
// deeper than maxJSONDepth or its brackets do not balance; whether it is
// valid JSON otherwise is for the decoder to say.
func longestJSONArray(b []byte) (longest int, ok bool) {
	var (
		isArray [maxJSONDepth]bool
		items   [maxJSONDepth]int
		depth   int
	)
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			if depth == maxJSONDepth {
				return longest, false
			}
			isArray[depth], items[depth] = b[i] == '[', 0
			depth++
			if b[i] == '[' {
				// An array has one item more than its commas, unless empty.
				j := i + 1
				for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
					j++
				}
				if j < len(b) && b[j] != ']' {
					items[depth-1] = 1
					longest = max(longest, 1)
				}
			}
		case ']', '}':
			if depth == 0 {
				return longest, false
			}
			depth--
		case ',':
			if depth > 0 && isArray[depth-1] {
				items[depth-1]++
				longest = max(longest, items[depth-1])
			}
		}
	}
	return longest, depth == 0
}
