// argolint, the Argo v3.4.16 part: validates Argo Workflow YAML the way
// the Kubeflow Pipelines 2.2 API server does when a pipeline is uploaded
// (backend/src/apiserver/template/argo_template.go, ValidateWorkflow): unmarshal with sigs.k8s.io/yaml
// into the Argo v3.4.16 Workflow type (lenient: unknown fields are dropped),
// require apiVersion argoproj.io/v1alpha1 and kind Workflow, then run Argo's
// own validate.ValidateWorkflow with the options KFP passes.
//
// Because the lenient decode silently drops misspelt keys, each file is also
// decoded strictly (unknown fields, duplicate keys) the way Argo's own
// v1alpha1.MustUnmarshal does. The command line is driver.go's (linked from ../driver.go).
package main

import (
	"fmt"
	"os"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/validate"
	log "github.com/sirupsen/logrus"
	sigsyaml "sigs.k8s.io/yaml"
)

const backend = "Kubeflow Pipelines 2.2 API server (Argo v3.4.16)"

// setupLogging: Argo logs through logrus; keep stdout for verdicts only.
func setupLogging() {
	log.SetOutput(os.Stderr)
	log.SetLevel(log.WarnLevel)
}

// lint returns a nil error when the KFP 2.2 upload path would accept the
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
	err = validate.ValidateWorkflow(nil, nil, &wf, validate.ValidateOpts{
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
