package server

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/metrics"
)

// Bounds on the shape of a GraphQL document, checked before gqlparser's
// validator walks it. The validator and the complexity calculation walk
// the document with every fragment spread inlined, and the validator's
// OverlappingFieldsCanBeMerged rule compares the fields of one selection
// set pairwise: without these bounds, 728 bytes of fragments spreading
// each other four times expand to 4^15 fields, and 4,900 __typename in one
// selection set make 12 million comparisons.
const (
	// MaxFields caps the fields of a document once every fragment spread
	// is inlined, at every depth.
	MaxFields = 1000
	// MaxSelectionFields caps the fields of one selection set once its
	// fragment spreads and inline fragments are inlined.
	MaxSelectionFields = 100
	// MaxDepth caps how deep selection sets nest (the introspection query
	// of GraphiQL nests 13 deep, faregraph's deepest useful query 9).
	MaxDepth = 20
	// MaxOperationNameBytes caps the operationName of a request and the
	// names of the operations in its document, and so the operation
	// names that reach logs and metric labels.
	MaxOperationNameBytes = metrics.MaxOperationNameBytes
)

// documentLimits refuses documents beyond the bounds above. gqlgen calls
// it before it parses and validates, so it parses the document itself (the
// parse is linear and bounded by MaxTokens); documents already in the
// query cache passed it before and are not parsed again.
type documentLimits struct {
	cache graphql.Cache[*ast.QueryDocument]
}

var (
	_ graphql.HandlerExtension          = documentLimits{}
	_ graphql.OperationParameterMutator = documentLimits{}
)

func (documentLimits) ExtensionName() string { return "DocumentLimits" }

func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l documentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.OperationName) > MaxOperationNameBytes {
		return requestError("the operation name is longer than %d bytes", MaxOperationNameBytes)
	}
	if _, ok := l.cache.Get(ctx, p.Query); ok {
		return nil
	}
	if err := checkWidths(p.Query); err != nil {
		return err
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, MaxTokens)
	if err != nil {
		// gqlgen parses again and reports the error as it always does.
		return nil
	}
	return checkShape(doc)
}

// checkWidths refuses a document with a selection set of more than
// MaxSelectionFields selections as written, reading its tokens without
// building anything: `{ __typename ×4,900 }` is refused before the parser
// allocates 4,900 fields. Fragments are not expanded here; checkShape
// does that on the parsed document. Documents that do not lex, or have
// more than MaxTokens tokens, are left to the parser to refuse.
func checkWidths(query string) *gqlerror.Error {
	lex := lexer.New(&ast.Source{Input: query})
	var (
		widths      []int // selections so far in each open selection set
		parens      int   // open argument or variable lists
		prev, prev2 lexer.Token
	)
	for n := 0; n <= MaxTokens; n++ {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return nil
		}
		switch {
		case tok.Kind == lexer.Comment:
			continue
		case tok.Kind == lexer.ParenL:
			parens++
		case tok.Kind == lexer.ParenR:
			parens--
		case parens > 0:
			// Arguments, variables and their values (objects included).
		case tok.Kind == lexer.BraceL:
			widths = append(widths, 0)
		case tok.Kind == lexer.BraceR:
			if len(widths) == 0 {
				return nil
			}
			widths = widths[:len(widths)-1]
		case len(widths) == 0:
			// Operation and fragment definitions.
		case tok.Kind == lexer.Spread || tok.Kind == lexer.Name && selectionStart(prev, prev2):
			// A field (its alias, if it has one), a fragment spread or an
			// inline fragment.
			widths[len(widths)-1]++
			if widths[len(widths)-1] > MaxSelectionFields {
				return requestError("a selection set has more than %d fields", MaxSelectionFields)
			}
		}
		prev2, prev = prev, tok
	}
	return nil
}

// selectionStart tells whether a name that follows prev2 and prev in a
// selection set starts a selection, rather than being a field's name after
// its alias, a directive's name, a fragment's name or a type condition.
func selectionStart(prev, prev2 lexer.Token) bool {
	switch prev.Kind {
	case lexer.Colon, lexer.At, lexer.Spread:
		return false
	case lexer.Name:
		return !(prev.Value == "on" && prev2.Kind == lexer.Spread)
	}
	return true
}

// checkShape measures every operation of doc with its fragments inlined,
// each fragment measured once, and refuses the first bound exceeded.
func checkShape(doc *ast.QueryDocument) *gqlerror.Error {
	m := measurer{frags: map[string]*ast.FragmentDefinition{}, memo: map[string]shape{}, busy: map[string]bool{}}
	for _, f := range doc.Fragments {
		m.frags[f.Name] = f
	}
	for _, op := range doc.Operations {
		if len(op.Name) > MaxOperationNameBytes {
			return requestError("an operation name is longer than %d bytes", MaxOperationNameBytes)
		}
		s := m.selectionSet(op.SelectionSet)
		switch {
		case s.fields > MaxFields:
			return requestError("the operation selects more than %d fields once its fragments are expanded", MaxFields)
		case s.width > MaxSelectionFields:
			return requestError("a selection set has more than %d fields once its fragments are expanded", MaxSelectionFields)
		case s.depth > MaxDepth:
			return requestError("selections are nested more than %d deep", MaxDepth)
		}
	}
	return nil
}

// shape is what a selection set amounts to once its fragments are inlined.
type shape struct {
	// fields counts the fields at every depth, saturating at saturated.
	fields int
	// width is the most fields any one selection set within puts side by
	// side, as the validator's overlap rule compares them.
	width int
	// depth is how deep selection sets nest below it.
	depth int
}

// saturated is where counts stop growing: far above every bound, far below
// overflow, whatever the fragments multiply to.
const saturated = 1 << 40

// measurer measures selection sets, each named fragment once (memo). A
// fragment that is unknown or part of a cycle measures nothing: the
// validator refuses both.
type measurer struct {
	frags map[string]*ast.FragmentDefinition
	memo  map[string]shape
	busy  map[string]bool
}

func (m *measurer) selectionSet(set ast.SelectionSet) shape {
	var out shape
	for _, sel := range set {
		var s shape
		switch sel := sel.(type) {
		case *ast.Field:
			s = m.selectionSet(sel.SelectionSet)
			if len(sel.SelectionSet) > 0 {
				s.depth++
			}
			s.fields = min(s.fields+1, saturated)
		case *ast.InlineFragment:
			s = m.selectionSet(sel.SelectionSet)
		case *ast.FragmentSpread:
			s = m.fragment(sel.Name)
		}
		out.fields = min(out.fields+s.fields, saturated)
		out.width = max(out.width, s.width)
		out.depth = max(out.depth, s.depth)
	}
	out.width = max(out.width, m.direct(set))
	return out
}

// direct counts the fields a selection set puts side by side: its own and
// those of the fragments it inlines, recursively.
func (m *measurer) direct(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			n++
		case *ast.InlineFragment:
			n += m.direct(sel.SelectionSet)
		case *ast.FragmentSpread:
			n += m.fragmentDirect(sel.Name)
		}
		n = min(n, saturated)
	}
	return n
}

// fragment measures a named fragment, once.
func (m *measurer) fragment(name string) shape {
	if s, ok := m.memo[name]; ok {
		return s
	}
	f := m.frags[name]
	if f == nil || m.busy[name] {
		return shape{}
	}
	m.busy[name] = true
	s := m.selectionSet(f.SelectionSet)
	s.fields = min(s.fields, saturated)
	delete(m.busy, name)
	m.memo[name] = s
	return s
}

// fragmentDirect is direct for a named fragment, once.
func (m *measurer) fragmentDirect(name string) int {
	key := "\x00" + name // not a GraphQL name: apart from fragment's keys
	if s, ok := m.memo[key]; ok {
		return s.width
	}
	f := m.frags[name]
	if f == nil || m.busy[key] {
		return 0
	}
	m.busy[key] = true
	n := m.direct(f.SelectionSet)
	delete(m.busy, key)
	m.memo[key] = shape{width: n}
	return n
}

// requestError is an error in the request itself, reported before
// anything runs, as gqlparser reports validation errors.
func requestError(format string, args ...any) *gqlerror.Error {
	err := &gqlerror.Error{Message: fmt.Sprintf(format, args...)}
	errcode.Set(err, string(fault.GraphQLValidationFailed))
	return err
}

// MaxErrors caps the errors of one response: the first MaxErrors are kept
// and one more says how many were left out.
const MaxErrors = 50

// capErrors is a response middleware that keeps at most MaxErrors errors,
// whether they come from validation or from execution.
func capErrors(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) <= MaxErrors {
		return resp
	}
	more := len(resp.Errors) - MaxErrors
	tooMany := &gqlerror.Error{
		Message:    fmt.Sprintf("too many errors: %d more left out", more),
		Extensions: map[string]any{"code": fault.TooManyErrors},
	}
	resp.Errors = append(resp.Errors[:MaxErrors:MaxErrors], tooMany)
	return resp
}
