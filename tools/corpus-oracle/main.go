// Command oracle is the Go side of gotrace-tui's parser test corpus (testdata/corpus).
//
// It imports golang.org/x/exp/trace/internal/..., which Go only lets code inside
// golang.org/x/exp import, so it cannot be built where it is committed:
// testdata/corpus.sh copies the pinned x/exp trace/ tree into a temporary module named
// golang.org/x/exp, puts this file at trace/cmd/oracle/ inside it and builds it there.
//
// Usage:
//
//	oracle test2bin IN.test OUT.trace   .test txtar -> binary trace, exactly as
//	                                    testtrace.ParseFile (raw.TextReader -> raw.Writer)
//	                                    makes it; prints the expectation line.
//	oracle check IN.test                run x/exp's TestReaderGolden logic (Reader +
//	                                    testtrace.Validator + expectation) on IN.test;
//	                                    prints "ok" or what went wrong; exit 0 either way.
//	oracle expect IN.test ERRFILE       check an error text (ERRFILE; empty = no error) against
//	                                    IN.test's expectation with testtrace.Expectation.Check;
//	                                    prints "ok" or the mismatch; exit 0 either way.
//	oracle fuzz2bin IN OUT.trace        Go fuzz corpus file ("go test fuzz v1" +
//	                                    []byte("...")) -> the raw bytes.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/exp/trace"
	"golang.org/x/exp/trace/internal/testtrace"
	"golang.org/x/tools/txtar"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch args := os.Args[2:]; os.Args[1] {
	case "test2bin":
		if len(args) != 2 {
			usage()
		}
		err = test2bin(args[0], args[1])
	case "check":
		if len(args) != 1 {
			usage()
		}
		err = check(args[0])
	case "expect":
		if len(args) != 2 {
			usage()
		}
		err = expect(args[0], args[1])
	case "fuzz2bin":
		if len(args) != 2 {
			usage()
		}
		err = fuzz2bin(args[0], args[1])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "oracle: %v\n", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: oracle test2bin IN.test OUT.trace | check IN.test | expect IN.test ERRFILE | fuzz2bin IN OUT.trace")
	os.Exit(2)
}

// expectLine returns the first line of the "expect" member of a .test file.
func expectLine(path string) (string, error) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		return "", err
	}
	if len(ar.Files) != 2 || ar.Files[0].Name != "expect" {
		return "", fmt.Errorf("%s: malformed test file", path)
	}
	line, _, _ := strings.Cut(string(ar.Files[0].Data), "\n")
	return line, nil
}

func test2bin(in, out string) error {
	r, _, _, err := testtrace.ParseFile(in)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	line, err := expectLine(in)
	if err != nil {
		return err
	}
	fmt.Println(line)
	return nil
}

// check mirrors x/exp trace/reader_test.go: TestReaderGolden / testReader.
func check(in string) error {
	tr, ver, exp, err := testtrace.ParseFile(in)
	if err != nil {
		return err
	}
	v := testtrace.NewValidator()
	v.GoVersion = ver
	var problems []string
	result := func(err error) {
		if err := exp.Check(err); err != nil {
			problems = append(problems, err.Error())
		}
	}
	r, err := trace.NewReader(tr)
	if err != nil {
		result(err)
	} else {
		n := 0
		for {
			ev, err := r.ReadEvent()
			if err == io.EOF {
				result(nil)
				break
			}
			if runtime.GOOS == "windows" || runtime.GOARCH == "wasm" {
				v.SkipClockSnapshotChecks()
			}
			if err != nil {
				result(err)
				break
			}
			n++
			if err := v.Event(ev); err != nil {
				problems = append(problems, fmt.Sprintf("validator, event %d: %v", n, err))
			}
		}
	}
	if len(problems) == 0 {
		fmt.Println("ok")
	} else {
		fmt.Println(strings.Join(problems, "\n"))
	}
	return nil
}

// fuzz2bin decodes the single []byte value of a Go fuzz corpus file, the way
// internal/fuzz (unmarshalCorpusFile / parseCorpusValue) does.
func fuzz2bin(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	lines := bytes.Split(data, []byte("\n"))
	if len(lines) < 2 || string(bytes.TrimSpace(lines[0])) != "go test fuzz v1" {
		return fmt.Errorf("%s: not a go test fuzz v1 file", in)
	}
	var vals [][]byte
	for _, line := range lines[1:] {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		expr, err := parser.ParseExprFrom(token.NewFileSet(), "(test)", line, 0)
		if err != nil {
			return fmt.Errorf("%s: %v", in, err)
		}
		call, ok := expr.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return fmt.Errorf("%s: expected []byte(...) call", in)
		}
		at, ok := call.Fun.(*ast.ArrayType)
		if !ok || at.Len != nil {
			return fmt.Errorf("%s: expected []byte(...)", in)
		}
		if id, ok := at.Elt.(*ast.Ident); !ok || (id.Name != "byte" && id.Name != "uint8") {
			return fmt.Errorf("%s: expected []byte(...)", in)
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return fmt.Errorf("%s: expected a string literal", in)
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return fmt.Errorf("%s: %v", in, err)
		}
		vals = append(vals, []byte(s))
	}
	if len(vals) != 1 {
		return fmt.Errorf("%s: want exactly one value, have %d", in, len(vals))
	}
	return os.WriteFile(out, vals[0], 0o644)
}

// expect checks an error message (the whole content of errFile minus one trailing
// newline; an empty file means "no error") against the expectation of a .test file.
func expect(in, errFile string) error {
	ar, err := txtar.ParseFile(in)
	if err != nil {
		return err
	}
	if len(ar.Files) != 2 || ar.Files[0].Name != "expect" {
		return fmt.Errorf("%s: malformed test file", in)
	}
	exp, err := testtrace.ParseExpectation(ar.Files[0].Data)
	if err != nil {
		return err
	}
	msg, err := os.ReadFile(errFile)
	if err != nil {
		return err
	}
	var got error
	if len(msg) > 0 {
		got = errors.New(strings.TrimSuffix(string(msg), "\n"))
	}
	if err := exp.Check(got); err != nil {
		fmt.Println(err)
	} else {
		fmt.Println("ok")
	}
	return nil
}
