package resolvers

import (
	"context"
	"fmt"
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
// values that gqlgen and gqlparser let through but that the GraphQL
// specification or our storage does not accept:
//
//   - in variables, an enum value that is not exactly one of its type's
//     values ("card" for PaymentMethodType), and an Int that is not a
//     32-bit integer number ("2", 2147483648);
//   - anywhere in variables or literal arguments, a String or ID that is
//     not valid UTF-8, holds a NUL character, or is longer than
//     MaxStringBytes: no database stores it and no id or key holds one.
//
// Each refusal is one BAD_USER_INPUT error naming the variable (or
// argument) and the expected type, like "$m: \"card\" is not a
// PaymentMethodType value (CARD, CREDIT_LINE)", with extensions.field
// "$m".
// Use it as srv.Use(&resolvers.Inputs{}).
type Inputs struct{ schema *ast.Schema }

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

// MutateOperationContext checks the operation's variables and literal
// arguments; it answers the first violation it finds.
func (in *Inputs) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Doc == nil || in.schema == nil {
		return nil
	}
	c := inputChecker{schema: in.schema}
	for _, def := range oc.Operation.VariableDefinitions {
		c.variable(oc.Variables[def.Variable], def.Type, []string{"$" + def.Variable})
	}
	c.selections(oc.Operation.SelectionSet)
	for _, f := range oc.Doc.Fragments {
		c.selections(f.SelectionSet)
	}
	if c.v == nil {
		return nil
	}
	return &gqlerror.Error{Message: c.v.Error(), Err: *c.v}
}

// inputChecker walks values; v is the first violation found.
type inputChecker struct {
	schema *ast.Schema
	v      *fault.Violation
}

func (c *inputChecker) fail(path []string, format string, args ...any) {
	if c.v == nil {
		c.v = &fault.Violation{Field: path, Code: fault.BadUserInput, Message: fmt.Sprintf(format, args...)}
	}
}

func (c *inputChecker) variable(v any, typ *ast.Type, path []string) {
	if v == nil || c.v != nil {
		return
	}
	if typ.Elem != nil {
		if list, ok := v.([]any); ok {
			for i, e := range list {
				c.variable(e, typ.Elem, append(path[:len(path):len(path)], fmt.Sprint(i)))
			}
			return
		}
		c.variable(v, typ.Elem, path)
		return
	}
	def := c.schema.Types[typ.NamedType]
	if def == nil {
		return
	}
	switch def.Kind {
	case ast.Enum:
		s, _ := v.(string)
		if def.EnumValues.ForName(s) == nil {
			names := make([]string, len(def.EnumValues))
			for i, e := range def.EnumValues {
				names[i] = e.Name
			}
			c.fail(path, "%s is not a %s value (%s)", quote(v), def.Name, strings.Join(names, ", "))
		}
	case ast.InputObject:
		m, _ := v.(map[string]any)
		for _, f := range def.Fields {
			c.variable(m[f.Name], f.Type, append(path[:len(path):len(path)], f.Name))
		}
	case ast.Scalar:
		switch def.Name {
		case "Int":
			if _, err := scalars.UnmarshalInt(v); err != nil {
				c.fail(path, "%s is not an Int: %s", quote(v), err)
			}
		case "String", "ID":
			if s, ok := v.(string); ok {
				c.str(s, def.Name, path)
			}
		}
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

// selections checks the literal strings of every argument under set.
func (c *inputChecker) selections(set ast.SelectionSet) {
	for _, sel := range set {
		if c.v != nil {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				c.literal(a.Value, []string{a.Name})
			}
			c.selections(s.SelectionSet)
		case *ast.InlineFragment:
			c.selections(s.SelectionSet)
		}
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
	case ast.ListValue, ast.ObjectValue:
		for i, ch := range v.Children {
			name := ch.Name
			if v.Kind == ast.ListValue {
				name = fmt.Sprint(i)
			}
			c.literal(ch.Value, append(path[:len(path):len(path)], name))
		}
	}
}

func quote(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}
