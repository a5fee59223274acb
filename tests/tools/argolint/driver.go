// driver.go: what every argolint shares, whatever its Argo version: the
// command line, the verdict lines and the exit status. Each validator's
// main.go (this directory for Argo v3.3.8, <version>/main.go for the
// others, which link this file in) supplies the version's own part:
//
//	backend              what it checks as, for the usage text
//	setupLogging()       keeps Argo's logging off stdout
//	lint(data)           KFP's decode and Argo's ValidateWorkflow
//	strictWarning(data)  the strict decode's complaint, if any
//
// Usage: argolint FILE...   ("-" reads standard input)
//
// Prints "FILE: ok" or "FILE: <error>" on stdout, one line per file; a
// strict-decode complaint goes to stderr as a warning and changes nothing.
// Exit status: 0 all ok, 1 some file failed validation, 2 usage or I/O error.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

const (
	argoVersion     = "argoproj.io/v1alpha1"
	argoK8sResource = "Workflow"
)

// oneLine folds an error text onto a single line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " \\n ")), " ")
}

// checkKind is KFP's check before validation, with its messages.
func checkKind(apiVersion, kind string) error {
	if apiVersion != argoVersion {
		return fmt.Errorf("Unsupported argo version. Expected: %v. Received: %v", argoVersion, apiVersion)
	}
	if kind != argoK8sResource {
		return fmt.Errorf("Unexpected resource type. Expected: %v. Received: %v", argoK8sResource, kind)
	}
	return nil
}

// templateRefPanic turns the nil-getter panic of a templateRef into an
// error (KFP passes nil WorkflowTemplate getters); use it deferred.
func templateRefPanic(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("panic in Argo validation (KFP passes nil WorkflowTemplate getters; templateRef/workflowTemplateRef cannot be resolved): %v", r)
	}
}

func main() {
	setupLogging()
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 || (len(args) == 1 && (args[0] == "-h" || args[0] == "--help")) {
		fmt.Fprintln(os.Stderr, "usage: argolint FILE... (- for standard input)")
		fmt.Fprintf(os.Stderr, "Validates Argo Workflow YAML as the %s does.\n", backend)
		os.Exit(2)
	}

	status := 0
	for _, name := range args {
		var data []byte
		var err error
		if name == "-" {
			data, err = io.ReadAll(os.Stdin)
		} else {
			data, err = os.ReadFile(name)
		}
		if err != nil {
			fmt.Printf("%s: %s\n", name, oneLine(err.Error()))
			status = 2
			continue
		}
		parsed, err := lint(data)
		if parsed {
			if w := strictWarning(data); w != nil {
				fmt.Fprintf(os.Stderr, "%s: warning: %s\n", name, oneLine(w.Error()))
			}
		}
		if err != nil {
			fmt.Printf("%s: %s\n", name, oneLine(err.Error()))
			if status == 0 {
				status = 1
			}
			continue
		}
		fmt.Printf("%s: ok\n", name)
	}
	os.Exit(status)
}
