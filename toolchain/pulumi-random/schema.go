package main

import (
	"encoding/json"
	"sort"
)

// The package schema (Pulumi package schema JSON) of the implemented resources: what
// `pulumi package get-schema`, `pulumi import` code generation and the engine's schema
// loader see. It is derived from the same property lists Check and Diff use.

type schemaType struct {
	Type                 string      `json:"type"`
	AdditionalProperties *schemaType `json:"additionalProperties,omitempty"`
	Items                *schemaType `json:"items,omitempty"`
}

type schemaProperty struct {
	schemaType
	Description        string `json:"description,omitempty"`
	Secret             bool   `json:"secret,omitempty"`
	DeprecationMessage string `json:"deprecationMessage,omitempty"`
	Default            any    `json:"default,omitempty"`
}

type schemaResource struct {
	Description     string                    `json:"description,omitempty"`
	Properties      map[string]schemaProperty `json:"properties"`
	Required        []string                  `json:"required"`
	InputProperties map[string]schemaProperty `json:"inputProperties"`
	RequiredInputs  []string                  `json:"requiredInputs"`
	StateInputs     *schemaObject             `json:"stateInputs,omitempty"`
}

type schemaObject struct {
	Description string                    `json:"description,omitempty"`
	Type        string                    `json:"type"`
	Properties  map[string]schemaProperty `json:"properties"`
}

type packageSchema struct {
	Name        string                    `json:"name"`
	DisplayName string                    `json:"displayName"`
	Version     string                    `json:"version,omitempty"`
	Description string                    `json:"description"`
	Keywords    []string                  `json:"keywords"`
	License     string                    `json:"license"`
	Meta        map[string]string         `json:"meta"`
	Config      map[string]any            `json:"config"`
	Provider    map[string]string         `json:"provider"`
	Resources   map[string]schemaResource `json:"resources"`
	Language    map[string]map[string]any `json:"language"`
}

func typeOfKind(k kind) schemaType {
	switch k {
	case kindBool:
		return schemaType{Type: "boolean"}
	case kindInt:
		return schemaType{Type: "integer"}
	case kindStringMap:
		return schemaType{Type: "object", AdditionalProperties: &schemaType{Type: "string"}}
	case kindStringList:
		return schemaType{Type: "array", Items: &schemaType{Type: "string"}}
	default:
		return schemaType{Type: "string"}
	}
}

func schemaProp(pr prop) schemaProperty {
	sp := schemaProperty{
		schemaType:         typeOfKind(pr.kind),
		Description:        pr.description,
		Secret:             pr.secret,
		DeprecationMessage: pr.deprecation,
	}
	return sp
}

func buildSchema(version string) packageSchema {
	s := packageSchema{
		Name:        "random",
		DisplayName: "random",
		Version:     version,
		Description: "A Pulumi package to safely use randomness in Pulumi programs (model-services' own provider build).",
		Keywords:    []string{"pulumi", "random"},
		License:     "Apache-2.0",
		Meta:        map[string]string{"moduleFormat": "(.*)(?:/[^/]*)"},
		Config:      map[string]any{},
		Provider:    map[string]string{"description": "The provider type for the random package."},
		Resources:   map[string]schemaResource{},
		Language:    map[string]map[string]any{"nodejs": {"packageName": "@pulumi/random"}},
	}
	for _, t := range resourceTypes {
		r := schemaResource{
			Description:     t.description,
			Properties:      map[string]schemaProperty{},
			InputProperties: map[string]schemaProperty{},
			Required:        []string{},
			RequiredInputs:  []string{},
			StateInputs:     &schemaObject{Description: "Input properties used for looking up and filtering " + t.token + " resources.", Type: "object", Properties: map[string]schemaProperty{}},
		}
		for _, pr := range t.inputs {
			sp := schemaProp(pr)
			r.InputProperties[pr.name] = sp
			r.Properties[pr.name] = sp
			r.StateInputs.Properties[pr.name] = sp
			// An output is always set when the input is required or has a default.
			if pr.required || pr.def != nil || pr.name == "number" || pr.name == "numeric" {
				r.Required = append(r.Required, pr.name)
			}
			if pr.required {
				r.RequiredInputs = append(r.RequiredInputs, pr.name)
			}
		}
		for _, pr := range t.outputs {
			sp := schemaProp(pr)
			r.Properties[pr.name] = sp
			r.StateInputs.Properties[pr.name] = sp
			r.Required = append(r.Required, pr.name)
		}
		sort.Strings(r.Required)
		sort.Strings(r.RequiredInputs)
		s.Resources[t.token] = r
	}
	return s
}

func schemaJSON(version string) (string, error) {
	b, err := json.Marshal(buildSchema(version))
	if err != nil {
		return "", err
	}
	return string(b), nil
}
