// argolint validates Argo Workflow YAML files the way the Kubeflow Pipelines
// 1.8.5 API server does when a pipeline is uploaded
// (backend/src/apiserver/template/argo_template.go, ValidateWorkflow): unmarshal
// with sigs.k8s.io/yaml (KFP 2.x; 1.8.5 used github.com/ghodss/yaml) into the Argo v4.0.5 Workflow type (lenient:
// unknown fields are dropped), require apiVersion argoproj.io/v1alpha1 and
// kind Workflow, then run Argo's own validate.ValidateWorkflow with the
// options KFP passes.
//
// Because the lenient decode silently drops misspelt keys, each file is also
// decoded strictly (unknown fields, duplicate keys) the way Argo's own
// v1alpha1.MustUnmarshal does; a failure there is printed to stderr as a
// warning and does not change the verdict or the exit status.
//
// Usage: argolint-v4.0.5 FILE...   ("-" reads standard input)
//
// Prints "FILE: ok" or "FILE: <error>" on stdout, one line per file.
// Exit status: 0 all ok, 1 some file failed validation, 2 usage or I/O error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v4/util/logging"
	"github.com/argoproj/argo-workflows/v4/workflow/validate"
	sigsyaml "sigs.k8s.io/yaml"
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

// lint returns a nil error when the KFP 2.17 upload path would accept the bytes;
// parsed tells whether the YAML got as far as the Workflow struct.
func lint(data []byte) (parsed bool, err error) {
	var wf wfv1.Workflow
	if err := sigsyaml.Unmarshal(data, &wf); err != nil {
		return false, fmt.Errorf("Failed to parse the workflow template.: %v", err)
	}
	parsed = true
	if wf.APIVersion != argoVersion {
		return parsed, fmt.Errorf("Unsupported argo version. Expected: %v. Received: %v", argoVersion, wf.APIVersion)
	}
	if wf.Kind != argoK8sResource {
		return parsed, fmt.Errorf("Unexpected resource type. Expected: %v. Received: %v", argoK8sResource, wf.Kind)
	}
	// KFP passes nil template getters, so a workflowTemplateRef or a
	// templateRef makes Argo dereference nil: report that instead of crashing.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in Argo validation (KFP passes nil WorkflowTemplate getters; templateRef/workflowTemplateRef cannot be resolved): %v", r)
		}
	}()
	// Argo v4 takes a context that must carry a logger, and the controller's
	// workflow defaults (nil: KFP has none).
	ctx := logging.WithLogger(context.Background(), logging.NewSlogLoggerCustom(logging.Warn, logging.Text, os.Stderr))
	err = validate.ValidateWorkflow(ctx, nil, nil, &wf, nil, validate.ValidateOpts{
		Lint:                       true,
		IgnoreEntrypoint:           true,
		WorkflowTemplateValidation: false, // as in KFP: not used by kubeflow
	})
	return parsed, err
}

// strictWarning decodes strictly and returns the complaint, if any.
func strictWarning(data []byte) error {
	var wf wfv1.Workflow
	return sigsyaml.UnmarshalStrict(data, &wf)
}

func main() {
	// Argo v4 logs through the logger in the context (stderr, warnings and
	// up): stdout is for verdicts only.

	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 || (len(args) == 1 && (args[0] == "-h" || args[0] == "--help")) {
		fmt.Fprintln(os.Stderr, "usage: argolint FILE... (- for standard input)")
		fmt.Fprintln(os.Stderr, "Validates Argo Workflow YAML as the Kubeflow Pipelines 2.17 API server does (Argo v4.0.5).")
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
