package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// RunPlugin starts a plugin written in Node.js (a policy pack, or a resource provider) and
// streams its output back to the engine, which reads the plugin's port from stdout.
// Policy packs run through @pulumi/pulumi's cmd/run-policy-pack, which takes the engine's
// arguments first, then the program directory. Other plugins (a component provider of a
// source-based package) run through cmd/run-plugin, which takes the program first and
// hands the rest to it as process.argv: the provider host reads the engine's address there.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())

	script := "run-plugin"
	if req.GetKind() == "policy" || req.GetKind() == "analyzer" {
		script = "run-policy-pack"
	}
	node, runScript, err := locateNode(dir, script)
	if err != nil {
		return err
	}
	program := entryPoint(info, req.GetProgram())
	if !filepath.IsAbs(program) {
		program = filepath.Join(dir, program)
	}

	opts := h.options(info)
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runScript)
	if script == "run-plugin" {
		args = append(args, program)
		args = append(args, req.GetArgs()...)
	} else {
		args = append(args, req.GetArgs()...)
		args = append(args, program)
	}

	cmd := exec.CommandContext(server.Context(), node, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", script, err)
	}

	// gRPC streams allow one sender at a time.
	var mu sync.Mutex
	send := func(resp *pulumirpc.RunPluginResponse) {
		mu.Lock()
		defer mu.Unlock()
		_ = server.Send(resp)
	}
	pump := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse, wg *sync.WaitGroup) {
		defer wg.Done()
		scanner := bufio.NewScanner(r)
		scanner.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for scanner.Scan() {
			line := append(append([]byte{}, scanner.Bytes()...), '\n')
			send(wrap(line))
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go pump(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	}, &wg)
	go pump(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	}, &wg)
	wg.Wait()

	code := 0
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = exitErr.ExitCode()
	}
	send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
	return nil
}
