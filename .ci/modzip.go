//go:build ignore

// modzip writes one module version into a file-based module proxy
// (GOPROXY=file://DIR), in the layout the go command reads:
// DIR/<module>/@v/{list,<v>.info,<v>.mod,<v>.zip}. Only the standard
// library is used. The zip holds every file of the module's directory
// except those of nested modules (directories with their own go.mod),
// VCS directories and go.work files, as the go command's own zips do.
//
//	go run .ci/modzip.go -dir TREE -module github.com/veriffgo/veriff -version v0.2.0 -proxy DIR
package main

import (
	"archive/zip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	dir := flag.String("dir", "", "the module's directory (holding its go.mod)")
	module := flag.String("module", "", "the module path")
	version := flag.String("version", "", "the version, e.g. v0.2.0")
	proxy := flag.String("proxy", "", "the proxy's root directory")
	flag.Parse()
	if *dir == "" || *module == "" || *version == "" || *proxy == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*dir, *module, *version, *proxy); err != nil {
		fmt.Fprintln(os.Stderr, "modzip:", err)
		os.Exit(1)
	}
}

func write(dir, module, version, proxy string) error {
	at := filepath.Join(proxy, filepath.FromSlash(escape(module)), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		return err
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(at, version+".mod"), mod, 0o644); err != nil {
		return err
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": time.Now().UTC().Format(time.RFC3339)})
	if err := os.WriteFile(filepath.Join(at, version+".info"), info, 0o644); err != nil {
		return err
	}
	if err := appendLine(filepath.Join(at, "list"), version); err != nil {
		return err
	}
	return writeZip(filepath.Join(at, version+".zip"), dir, module+"@"+version)
}

// escape is the proxy's case encoding of a module path: "!x" for "X".
func escape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func appendLine(name, line string) error {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeZip(name, dir, prefix string) error {
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil || d.Name() == ".git" || d.Name() == "vendor" {
				return filepath.SkipDir // a nested module, or not module content
			}
			return nil
		}
		if !d.Type().IsRegular() || d.Name() == "go.work" || d.Name() == "go.work.sum" {
			return nil
		}
		return addFile(zw, p, path.Join(prefix, rel))
	})
	if err == nil {
		err = zw.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func addFile(zw *zip.Writer, src, name string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, in)
	return err
}
