//go:build ignore

// gen_embed writes schema-embed.json (the provider schema with "version" set) and
// terraform-mapping-embed.json (compacted) next to main.go.
//
//	go run gen_embed.go <schema.json> <terraform-mapping.json> <version>
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: go run gen_embed.go SCHEMA MAPPING VERSION")
		os.Exit(2)
	}
	var spec map[string]json.RawMessage
	if err := readJSON(os.Args[1], &spec); err != nil {
		fail(err)
	}
	v, _ := json.Marshal(os.Args[3])
	spec["version"] = v
	out, err := json.Marshal(spec)
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile("schema-embed.json", out, 0o644); err != nil {
		fail(err)
	}
	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		fail(fmt.Errorf("%s: %w", os.Args[2], err))
	}
	if err := os.WriteFile("terraform-mapping-embed.json", buf.Bytes(), 0o644); err != nil {
		fail(err)
	}
}

func readJSON(path string, into any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen_embed:", err)
	os.Exit(1)
}
