"""Parses `vllm serve` command lines with vLLM's own parser (the pinned release, with vLLM-Omni
for `--omni`), exactly as `vllm` builds it in vllm/entrypoints/cli/main.py (and
vllm_omni/entrypoints/cli/main.py): a FlexibleArgumentParser with the `serve` sub-parser of
make_arg_parser, then the checks vLLM runs before loading a model (validate_parsed_serve_args).

Input (stdin): a JSON array of argument lists, each what follows `vllm serve`.
Output (stdout): {"results": [...], "facts": {...}}; per command either
  {"ok": true, "namespace": {...}}   the parsed arguments (`model` set from the positional, as serve does)
  {"ok": false, "error": "..."}      what vLLM's parser printed or raised
and the facts vLLM checks later, when it builds ModelConfig (the parser takes any
`--quantization` string): QUANTIZATION_METHODS and DEPRECATED_QUANTIZATION_METHODS.
Usage: python check.py SOURCE_DIR < commands.json   (scripts/vllm-args.sh runs it)
"""

import contextlib
import io
import json
import os
import sys

# Modules vLLM imports that its parser does not need: the minimal set that lets
# vllm.entrypoints.openai.cli_args and vllm_omni.entrypoints.cli.serve import without torch.
STUBBED = [
    # third-party libraries imported at module level, none of them by the parser
    "aenum", "aiohttp", "cachetools", "cbor2", "cloudpickle", "cpuinfo", "diffusers", "fastapi", "httpx",
    "huggingface_hub", "jinja2", "llguidance", "loguru", "model_hosting_container_standards", "msgspec",
    "numpy", "omegaconf", "openai", "openai_harmony", "partial_json_parser", "PIL", "prettytable",
    "prometheus_client", "psutil", "pybase64", "requests", "safetensors", "soundfile", "starlette",
    "tiktoken", "torch", "tqdm", "transformers", "triton", "urllib3", "uvicorn", "uvloop", "watchfiles",
    "xgrammar", "zmq",
    # vLLM's compiled kernels (only Python files are extracted from the wheel)
    "vllm._C", "vllm._C_stable_libtorch", "vllm._moe_C_stable_libtorch",
    # import-time custom-op registration: the executor (ParallelConfig imports it only for an
    # isinstance check) and the kernel IR
    "vllm.v1.executor", "vllm.ir",
    # vLLM-Omni's runtime patches of vLLM's model classes and its HTTP server, which
    # `vllm serve --omni` reaches only after parsing
    "vllm_omni.patch", "vllm_omni.entrypoints.openai",
]
# What vLLM reads with importlib.metadata.version() from stubbed distributions: its own pins.
STUBBED_VERSIONS = {"torch": "2.11.0", "transformers": "5.5.3"}


def load(source_dir):
    sys.path.insert(0, source_dir)
    sys.path.insert(1, os.path.dirname(os.path.abspath(__file__)))
    import stubs

    stubs.install(STUBBED, STUBBED_VERSIONS)
    with contextlib.redirect_stdout(sys.stderr):
        import torch.cuda
        import torch.library

        # vLLM's IR ops compare the schemas torch infers for each implementation.
        torch.library.infer_schema = lambda *args, **kwargs: "(Tensor x) -> Tensor"
        # vLLM-Omni's patches import quantization kernels that ask for the GPU's compute capability.
        torch.cuda.get_device_capability = lambda *args, **kwargs: (9, 0)
        # The images run on NVIDIA GPUs: parse with the CUDA platform, as the pods do.
        import vllm.platforms
        from vllm.platforms.cuda import CudaPlatform

        vllm.platforms.current_platform = CudaPlatform()


def vllm_parser():
    from vllm.entrypoints.openai.cli_args import make_arg_parser
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    parser = FlexibleArgumentParser(prog="vllm", description="vLLM CLI")
    subparsers = parser.add_subparsers(required=False, dest="subparser")
    serve = subparsers.add_parser("serve", usage="vllm serve [model_tag] [options]")
    make_arg_parser(serve)
    return parser


def omni_parser():
    from vllm_omni.entrypoints.cli.serve import cmd_init
    from vllm_omni.utils.tracking_parser import TrackingArgumentParser

    parser = TrackingArgumentParser(prog="vllm", description="vLLM OMNI CLI")
    subparsers = parser.add_subparsers(required=False, dest="subparser")
    commands = {}
    for command in cmd_init():
        command.subparser_init(subparsers)
        commands[command.name] = command
    return parser, commands["serve"]


def jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def parse(parsers, argv):
    omni = "--omni" in argv
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(err):
            if omni:
                if "omni" not in parsers:
                    parsers["omni"] = omni_parser()
                parser, serve = parsers["omni"]
                namespace = parser.parse_args(["serve", *argv])
                serve.validate(namespace)
            else:
                if "vllm" not in parsers:
                    parsers["vllm"] = vllm_parser()
                from vllm.entrypoints.openai.cli_args import validate_parsed_serve_args

                namespace = parsers["vllm"].parse_args(["serve", *argv])
                validate_parsed_serve_args(namespace)
    except SystemExit:
        lines = [line for line in err.getvalue().splitlines() if line.strip() and not line.startswith("usage:")]
        return {"ok": False, "error": lines[-1] if lines else "the parser exited"}
    except Exception as e:  # vLLM raises ValueError/TypeError for some checks
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    values = vars(namespace)
    if values.get("model_tag") is not None:
        values["model"] = values["model_tag"]  # vllm/entrypoints/cli/serve.py cmd()
    return {"ok": True, "namespace": {k: jsonable(v) for k, v in values.items() if k != "dispatch_function"}}


def main():
    load(sys.argv[1])
    commands = json.load(sys.stdin)
    parsers = {}
    results = [parse(parsers, argv) for argv in commands]
    with contextlib.redirect_stdout(sys.stderr):
        from vllm.model_executor.layers import quantization
    facts = {
        "quantizationMethods": quantization.QUANTIZATION_METHODS,
        "deprecatedQuantizationMethods": quantization.DEPRECATED_QUANTIZATION_METHODS,
    }
    json.dump({"results": results, "facts": facts}, sys.stdout)


if __name__ == "__main__":
    main()
