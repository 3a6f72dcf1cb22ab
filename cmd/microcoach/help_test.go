package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestHelpListsEveryCommand reads the commands run knows from its switch
// in main.go and finds each in the usage that help prints, so a command
// cannot be added without saying so there.
func TestHelpListsEveryCommand(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "run" {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if c, ok := n.(*ast.CaseClause); ok {
				for _, e := range c.List {
					if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, _ := strconv.Unquote(lit.Value); !strings.HasPrefix(s, "-") {
							cmds = append(cmds, s)
						}
					}
				}
			}
			return true
		})
		return false
	})
	if len(cmds) < 5 {
		t.Fatalf("found only %v in run's switch; has main.go changed shape?", cmds)
	}
	var help bytes.Buffer
	if err := printHelp(&help); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		if !strings.Contains(help.String(), "microcoach "+c) && !strings.Contains(help.String(), "microcoach ["+c+"]") {
			t.Errorf("microcoach help does not list %q", c)
		}
	}
}
