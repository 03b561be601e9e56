package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/scalars"
)

// MaxStringBytes is the longest String or ID input, in bytes, that any
// argument or variable may carry.
const MaxStringBytes = 8 << 10

// Inputs is the handler extension that refuses, before anything runs, the
// values that gqlgen and gqlparser let through or classify as validation
// failures, but that the GraphQL specification calls coercion errors or
// that our storage does not accept:
//
//   - in variables, every value that does not coerce to its variable's
//     type (§6.1.2 CoerceVariableValues): an enum value that is not
//     exactly one of its type's values ("card", "x", 1), an Int that is not
//     an integer number from -2^31 to 2^31-1 ("2", 2.0, 2.5, 1e2, true,
//     [2], {"a":1}: see scalars.UnmarshalInt), a value of the wrong kind
//     for a String, Boolean, Float, ID, Date or DateTime, null or nothing
//     for a non-null type, and an input object that is not an object, has
//     a field its type does not, or lacks a required one;
//   - in literal arguments (field and directive arguments, at any depth
//     of input objects and lists), an Int out of the 32-bit range;
//   - anywhere in variables or literal arguments, a String or ID that is
//     not valid UTF-8, holds a NUL character, or is longer than
//     MaxStringBytes: no database stores it and no id or key holds one.
//
// Each refusal is one BAD_USER_INPUT error whose extensions.field is the
// input path of the value: "$m", "$in.passengers.0.type" for variables,
// "first", "input.passengers.children" for literal arguments (the path of
// fault.Violation.Field: the argument, then input fields and indexes).
//
// gqlparser coerces variables before any extension sees the operation, and
// refuses some of them as GRAPHQL_VALIDATION_FAILED with no field; the
// transports call Coercion with its error to answer the same refusal.
// Use it as srv.Use(&resolvers.Inputs{}).
type Inputs struct {
	// ListEnumValues adds an enum's values to the message that refuses a
	// value of it. Leave it false when introspection is off: the values
	// would reveal the schema.
	ListEnumValues bool

	schema *ast.Schema
}

var (
	_ graphql.HandlerExtension        = (*Inputs)(nil)
	_ graphql.OperationContextMutator = (*Inputs)(nil)
)

// ExtensionName names the extension.
func (*Inputs) ExtensionName() string { return "Inputs" }

// Validate keeps the schema whose types the values are checked against.
func (in *Inputs) Validate(es graphql.ExecutableSchema) error {
	in.schema = es.Schema()
	return nil
}

// MutateOperationContext checks the operation's variables (as gqlparser
// coerced them, defaults included) and its literal arguments; it answers
// the first violation it finds.
func (in *Inputs) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Doc == nil || in.schema == nil {
		return nil
	}
	c := in.checker()
	c.variables(oc.Operation, oc.Variables)
	c.operation(oc.Doc, oc.Operation)
	return c.err()
}

// Coercion answers a request whose variables gqlparser failed to coerce
// (err, a GRAPHQL_VALIDATION_FAILED error on the path [variable name ...])
// with the same refusal MutateOperationContext gives: a BAD_USER_INPUT
// error naming the variable's input path. op is the validated operation
// and vars the variables as the client sent them. Should the checks here
// find nothing, err itself is answered as BAD_USER_INPUT on its path.
func (in *Inputs) Coercion(op *ast.OperationDefinition, vars map[string]any, err *gqlerror.Error) *gqlerror.Error {
	if in.schema != nil && op != nil {
		c := in.checker()
		c.variables(op, vars)
		if e := c.err(); e != nil {
			return e
		}
	}
	field := []string{"$"}
	for i, p := range err.Path {
		switch {
		case i == 0: // "variable"
		case i == 1:
			field[0] += fmt.Sprint(p)
		default:
			field = append(field, fmt.Sprint(p))
		}
	}
	v := fault.Violation{Field: field, Code: fault.BadUserInput, Message: err.Message}
	return &gqlerror.Error{Message: v.Error(), Err: v}
}

func (in *Inputs) checker() *inputChecker {
	return &inputChecker{schema: in.schema, listEnums: in.ListEnumValues, frags: map[string]bool{}}
}

// inputChecker walks values; v is the first violation found.
type inputChecker struct {
	schema    *ast.Schema
	listEnums bool
	doc       *ast.QueryDocument
	frags     map[string]bool // fragments already walked
	v         *fault.Violation
}

func (c *inputChecker) err() *gqlerror.Error {
	if c.v == nil {
		return nil
	}
	return &gqlerror.Error{Message: c.v.Error(), Err: *c.v}
}

func (c *inputChecker) fail(path []string, format string, args ...any) {
	if c.v == nil {
		c.v = &fault.Violation{Field: path, Code: fault.BadUserInput, Message: fmt.Sprintf(format, args...)}
	}
}

func with(path []string, name string) []string {
	return append(path[:len(path):len(path)], name)
}

// variables checks every variable of op in vars.
func (c *inputChecker) variables(op *ast.OperationDefinition, vars map[string]any) {
	for _, def := range op.VariableDefinitions {
		path := []string{"$" + def.Variable}
		v, ok := vars[def.Variable]
		if !ok {
			if def.DefaultValue == nil && def.Type.NonNull {
				c.fail(path, "a value of type %s is required", def.Type)
			}
			continue
		}
		c.variable(v, def.Type, path)
	}
}

func (c *inputChecker) variable(v any, typ *ast.Type, path []string) {
	if c.v != nil {
		return
	}
	if v == nil {
		if typ.NonNull {
			c.fail(path, "must not be null (%s)", typ)
		}
		return
	}
	if typ.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			// A single value is a list of one (§3.11 Input Coercion).
			c.variable(v, typ.Elem, path)
			return
		}
		for i, e := range list {
			c.variable(e, typ.Elem, with(path, fmt.Sprint(i)))
		}
		return
	}
	def := c.schema.Types[typ.NamedType]
	if def == nil {
		return
	}
	switch def.Kind {
	case ast.Enum:
		s, ok := v.(string)
		if ok && def.EnumValues.ForName(s) != nil {
			return
		}
		values := ""
		if c.listEnums {
			names := make([]string, len(def.EnumValues))
			for i, e := range def.EnumValues {
				names[i] = e.Name
			}
			values = " (" + strings.Join(names, ", ") + ")"
		}
		if !ok {
			c.fail(path, "must be a value of %s%s, got %s", def.Name, values, scalars.Kind(v))
			return
		}
		c.fail(path, "%q is not a value of %s%s", s, def.Name, values)
	case ast.InputObject:
		m, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "must be a %s object, got %s", def.Name, scalars.Kind(v))
			return
		}
		names := make([]string, 0, len(m))
		for name := range m {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if def.Fields.ForName(name) == nil {
				c.fail(with(path, name), "%s has no field %q", def.Name, name)
				return
			}
		}
		for _, f := range def.Fields {
			fv, ok := m[f.Name]
			if !ok {
				if f.DefaultValue == nil && f.Type.NonNull {
					c.fail(with(path, f.Name), "a value of type %s is required", f.Type)
				}
				continue
			}
			c.variable(fv, f.Type, with(path, f.Name))
		}
	case ast.Scalar:
		c.scalar(v, def.Name, path)
	}
}

// scalar checks a variable's value of the scalar type named typ.
func (c *inputChecker) scalar(v any, typ string, path []string) {
	var err error
	switch typ {
	case "Int":
		_, err = scalars.UnmarshalInt(v)
	case "Float":
		switch v.(type) {
		case json.Number, float64, float32, int, int32, int64:
		default:
			err = fmt.Errorf("must be a Float, got %s", scalars.Kind(v))
		}
	case "Boolean":
		if _, ok := v.(bool); !ok {
			err = fmt.Errorf("must be a Boolean, got %s", scalars.Kind(v))
		}
	case "ID":
		switch x := v.(type) {
		case string:
			c.str(x, typ, path)
		case json.Number:
			if _, ierr := scalars.UnmarshalInt(x); ierr != nil {
				err = fmt.Errorf("must be an ID: a string or an integer, got %s", x)
			}
		case int, int32, int64:
		default:
			err = fmt.Errorf("must be an ID: a string or an integer, got %s", scalars.Kind(v))
		}
	case "String", "Decimal":
		if s, ok := v.(string); ok {
			c.str(s, typ, path)
		} else {
			err = fmt.Errorf("must be a %s string, got %s", typ, scalars.Kind(v))
		}
	case "Date":
		if s, ok := v.(string); ok {
			c.str(s, typ, path)
		} else {
			_, err = scalars.UnmarshalDate(v)
		}
	case "DateTime":
		_, err = scalars.UnmarshalDateTime(v)
	}
	if err != nil {
		c.fail(path, "%s", err)
	}
}

// str refuses strings that cannot be stored or used as keys.
func (c *inputChecker) str(s, typ string, path []string) {
	switch {
	case !utf8.ValidString(s):
		c.fail(path, "must be valid UTF-8 (%s)", typ)
	case strings.IndexByte(s, 0) >= 0:
		c.fail(path, "must not contain a NUL character (%s)", typ)
	case len(s) > MaxStringBytes:
		c.fail(path, "must be at most %d bytes (%s), got %d", MaxStringBytes, typ, len(s))
	}
}

// operation checks the literal arguments of op and of the fragments it
// spreads, each fragment once.
func (c *inputChecker) operation(doc *ast.QueryDocument, op *ast.OperationDefinition) {
	c.doc = doc
	c.directives(op.Directives)
	c.selections(op.SelectionSet)
}

func (c *inputChecker) selections(set ast.SelectionSet) {
	for _, sel := range set {
		if c.v != nil {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			c.arguments(s.Arguments)
			c.directives(s.Directives)
			c.selections(s.SelectionSet)
		case *ast.InlineFragment:
			c.directives(s.Directives)
			c.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			c.directives(s.Directives)
			if c.frags[s.Name] || c.doc == nil {
				continue
			}
			c.frags[s.Name] = true
			if f := c.doc.Fragments.ForName(s.Name); f != nil {
				c.selections(f.SelectionSet)
			}
		}
	}
}

func (c *inputChecker) directives(ds ast.DirectiveList) {
	for _, d := range ds {
		c.arguments(d.Arguments)
	}
}

func (c *inputChecker) arguments(args ast.ArgumentList) {
	for _, a := range args {
		c.literal(a.Value, []string{a.Name})
	}
}

func (c *inputChecker) literal(v *ast.Value, path []string) {
	if v == nil || c.v != nil {
		return
	}
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		typ := "String"
		if v.ExpectedType != nil {
			typ = v.ExpectedType.Name()
		}
		c.str(v.Raw, typ, path)
	case ast.IntValue:
		// An IntValue is also a valid Float literal: only Ints are
		// bounded to 32 bits.
		if v.ExpectedType != nil && v.ExpectedType.Name() == "Int" {
			if _, err := scalars.UnmarshalInt(json.Number(v.Raw)); err != nil {
				c.fail(path, "%s", err)
			}
		}
	case ast.ListValue, ast.ObjectValue:
		for i, ch := range v.Children {
			name := ch.Name
			if v.Kind == ast.ListValue {
				name = fmt.Sprint(i)
			}
			c.literal(ch.Value, with(path, name))
		}
	}
}
