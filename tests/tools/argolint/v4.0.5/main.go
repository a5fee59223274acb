// argolint, the Argo v4.0.5 part: validates Argo Workflow YAML the way
// the Kubeflow Pipelines 2.17 API server does when a pipeline is uploaded
// (backend/src/apiserver/template/argo_template.go, ValidateWorkflow): unmarshal with sigs.k8s.io/yaml
// into the Argo v4.0.5 Workflow type (lenient: unknown fields are dropped),
// require apiVersion argoproj.io/v1alpha1 and kind Workflow, then run Argo's
// own validate.ValidateWorkflow with the options KFP passes.
//
// Because the lenient decode silently drops misspelt keys, each file is also
// decoded strictly (unknown fields, duplicate keys) the way Argo's own
// v1alpha1.MustUnmarshal does. The command line is driver.go's (linked from ../driver.go).
package main

import (
	"context"
	"fmt"
	"os"

	wfv1 "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v4/util/logging"
	"github.com/argoproj/argo-workflows/v4/workflow/validate"
	sigsyaml "sigs.k8s.io/yaml"
)

const backend = "Kubeflow Pipelines 2.17 API server (Argo v4.0.5)"

// setupLogging: Argo v4 logs through the logger in the context (stderr,
// warnings and up), so there is nothing to set here.
func setupLogging() {}

// lint returns a nil error when the KFP 2.17 upload path would accept the
// bytes; parsed tells whether the YAML got as far as the Workflow struct.
func lint(data []byte) (parsed bool, err error) {
	var wf wfv1.Workflow
	if err := sigsyaml.Unmarshal(data, &wf); err != nil {
		return false, fmt.Errorf("Failed to parse the workflow template.: %v", err)
	}
	if err := checkKind(wf.APIVersion, wf.Kind); err != nil {
		return true, err
	}
	defer templateRefPanic(&err)
	// Argo v4 takes a context that must carry a logger, and the controller's
	// workflow defaults (nil: KFP has none).
	ctx := logging.WithLogger(context.Background(), logging.NewSlogLoggerCustom(logging.Warn, logging.Text, os.Stderr))
	err = validate.ValidateWorkflow(ctx, nil, nil, &wf, nil, validate.ValidateOpts{
		Lint:                       true,
		IgnoreEntrypoint:           true,
		WorkflowTemplateValidation: false, // as in KFP: not used by kubeflow
	})
	return true, err
}

// strictWarning decodes strictly and returns the complaint, if any.
func strictWarning(data []byte) error {
	var wf wfv1.Workflow
	return sigsyaml.UnmarshalStrict(data, &wf)
}
