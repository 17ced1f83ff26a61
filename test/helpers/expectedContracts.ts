/**
 * Literal texts the product must produce, written out once for the tests that pin them (the
 * pure tests beside the code and the deployed-stack tests): never built from the product's
 * own constants, so a changed constant fails both.
 */

/** The download program of a model cache's fetch step, line by line: each item once, its marker under /models/.ready. */
export const downloadProgramLines = [
    "import json, pathlib, sys",
    'root = pathlib.Path("/models")',
    "for item in json.loads(sys.argv[1]):",
    '    marker = pathlib.Path("/models/.ready") / item["key"]',
    "    if marker.exists():",
    "        continue",
    '    if item["kind"] == "huggingface":',
    "        from huggingface_hub import snapshot_download",
    '        snapshot_download(item["repo"], revision=item.get("revision"), cache_dir=str(root / "hub"))',
    "    else:",
    "        import boto3",
    '        s3, bucket, prefix = boto3.client("s3"), item["bucket"], item["prefix"]',
    '        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):',
    '            for obj in page.get("Contents", []):',
    '                target = root / "s3" / bucket / obj["Key"]',
    "                target.parent.mkdir(parents=True, exist_ok=True)",
    '                s3.download_file(bucket, obj["Key"], str(target))',
    "    marker.parent.mkdir(parents=True, exist_ok=True)",
    "    marker.touch()",
];

/** A GPU node's user data (before base64) asking nodeadm for `strategy` on the instance store, line by line. */
export function nodeUserDataLines(strategy: string): string[] {
    return [
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="MODEL-SERVICES-NODECONFIG"',
        "",
        "--MODEL-SERVICES-NODECONFIG",
        "Content-Type: application/node.eks.aws",
        "",
        "apiVersion: node.eks.aws/v1alpha1",
        "kind: NodeConfig",
        "spec:",
        "  instance:",
        "    localStorage:",
        `      strategy: ${strategy}`,
        "",
        "--MODEL-SERVICES-NODECONFIG--",
        "",
    ];
}
