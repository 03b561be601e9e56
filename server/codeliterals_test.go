package server_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/fault"
)

// notCodes are string literals of the scanned packages that look like
// codes but are not answered as codes. Each says what it is.
var notCodes = map[string]string{
	// None yet. An entry is, for example, an HTTP header name or an
	// environment variable spelled in capitals: "FAREGRAPH_CORS_ORIGINS":
	// "an environment variable named in a message".
}

// codeLike is a word that looks like a code: a whole string literal, or a
// quoted word inside one (a JSON body written by hand, like
// `{"code":"INTERNAL"}`).
var (
	codeLiteral = regexp.MustCompile(`^[A-Z][A-Z_]{5,}$`)
	quotedCode  = regexp.MustCompile(`"([A-Z][A-Z_]{5,})"`)
)

// TestCodeLiteralsAreFaultCodes scans the non-test Go files of the
// packages that answer clients for string literals that look like codes,
// and fails unless each is a fault code (they should be spelled with
// fault's constants anyway) or listed in notCodes. A code typed as a
// literal is how NOT_ACCEPTABLE came to be answered without being a value
// of the ErrorCode enum.
func TestCodeLiteralsAreFaultCodes(t *testing.T) {
	known := map[string]bool{}
	for _, c := range fault.Codes {
		known[string(c)] = true
	}
	scanned := 0
	for _, dir := range []string{".", "../auth", "../playground", "../resolvers"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != dir && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			scanned++
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				words := []string{}
				if codeLiteral.MatchString(s) {
					words = append(words, s)
				}
				for _, m := range quotedCode.FindAllStringSubmatch(s, -1) {
					words = append(words, m[1])
				}
				for _, w := range words {
					if !known[w] && notCodes[w] == "" {
						t.Errorf("%s: %q looks like a code but is not a fault code: add it to package fault and the ErrorCode enum, or to notCodes saying what it is", fset.Position(lit.Pos()), w)
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if scanned < 10 {
		t.Fatalf("scanned %d files: the walk is broken", scanned)
	}
}
