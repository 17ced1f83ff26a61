// Command etcd is the etcd server, built from the go.etcd.io/etcd/server/v3 module
// pinned in go.mod (the upstream release binary's main package lives in the
// unpublished root module, so this wrapper supplies the entry point).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
