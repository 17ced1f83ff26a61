"""Checks an Images API request and response with vLLM-Omni's own models (the pinned release's
vllm_omni/entrypoints/openai/protocol/images.py, the classes its /v1/images/generations handler
takes and returns), for test/cli/image.test.ts:
`python vllm_omni_images.py <vllm-omni source dir> < {"request": {...}, "response": {...}}`.

Prints {"request": ..., "size": [width, height], "response": ...} as vLLM-Omni parsed them, or
exits 1 with pydantic's message. Only those two modules are loaded: the package's __init__ files
start the engine's imports (vLLM, torch), so its package names are registered empty here, and
Pillow (imported by the helpers module, used only for encoding) is not needed to parse.
"""

import json
import pathlib
import sys
import types

import pydantic


def load(src):
    for package in ("vllm_omni", "vllm_omni.entrypoints", "vllm_omni.entrypoints.openai", "vllm_omni.entrypoints.openai.protocol"):
        module = types.ModuleType(package)
        module.__path__ = [str(pathlib.Path(src, *package.split(".")))]
        sys.modules[package] = module
    pil = types.ModuleType("PIL")
    pil.Image = types.ModuleType("PIL.Image")
    pil.Image.Image = type("Image", (), {})  # only in annotations
    sys.modules.update({"PIL": pil, "PIL.Image": pil.Image})
    from vllm_omni.entrypoints.openai import image_api_utils
    from vllm_omni.entrypoints.openai.protocol import images

    return images, image_api_utils


def main(src):
    images, utils = load(src)
    exchange = json.load(sys.stdin)
    try:
        request = images.ImageGenerationRequest.model_validate(exchange["request"])
        response = images.ImageGenerationResponse.model_validate(exchange["response"])
    except pydantic.ValidationError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
    # The handler parses the size itself (api_server.generate_images).
    size = utils.parse_size(request.size) if request.size is not None else None
    print(json.dumps({"request": request.model_dump(mode="json", exclude_none=True), "size": size, "response": response.model_dump(mode="json", exclude_none=True)}))


if __name__ == "__main__":
    main(sys.argv[1])
