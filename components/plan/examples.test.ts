import { describe, expect, it } from "vitest";
import { ServiceTask } from "../config/rules";
import { apiKeyPlaceholder, serviceExamples } from "./examples";

const endpoint = "https://models.example.com/v1";

const pythonHead = ["import os", "from openai import OpenAI", "", `client = OpenAI(base_url="${endpoint}", api_key=os.environ["MODEL_SERVICES_API_KEY"])`];
const nodeHead = ['import OpenAI from "openai";', "", `const client = new OpenAI({ baseURL: "${endpoint}", apiKey: process.env.MODEL_SERVICES_API_KEY });`];

const visionImage = "https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png";

/** The request body each example sends, per task, as the API reads it. */
const bodies: Record<ServiceTask, Record<string, unknown>> = {
    [ServiceTask.Chat]: { model: "u-1/chat", messages: [{ role: "user", content: "Hello!" }] },
    [ServiceTask.Vision]: {
        model: "u-1/vision",
        messages: [
            {
                role: "user",
                content: [
                    { type: "text", text: "What is in this image?" },
                    { type: "image_url", image_url: { url: visionImage } },
                ],
            },
        ],
    },
    [ServiceTask.Embedding]: { model: "u-1/embed", input: "The food was delicious." },
    [ServiceTask.ImageGeneration]: { model: "u-1/image", prompt: "a lighthouse at dawn, watercolor", size: "1024x1024" },
};

/** The body after curl's `-d '…'` (the last line), parsed. */
function curlBody(curl: string): unknown {
    const m = /\n {2}-d '([^']*)'$/.exec(curl);
    expect(m).not.toBeNull();
    return JSON.parse(m![1]!);
}

/** The keyword arguments of the Python call, one `    name=value,` line each; the values are JSON-compatible literals. */
function pythonKwargs(python: string): Record<string, unknown> {
    const lines = python.split("\n");
    const open = lines.findIndex((l) => l.startsWith("result = client."));
    const close = lines.indexOf(")", open);
    return Object.fromEntries(
        lines.slice(open + 1, close).map((l) => {
            const m = /^ {4}(\w+)=(.*),$/.exec(l);
            expect(m, l).not.toBeNull();
            return [m![1]!, JSON.parse(m![2]!)];
        }),
    );
}

/** The object passed to the Node SDK call, parsed. */
function nodeArgument(node: string): unknown {
    const m = /const result = await client\.[\w.]+\((\{[\s\S]*\})\);\n/.exec(node);
    expect(m).not.toBeNull();
    return JSON.parse(m![1]!);
}

describe("apiKeyPlaceholder", () => {
    it("is the shell variable the snippets read the key from", () => {
        expect(apiKeyPlaceholder).toBe("$MODEL_SERVICES_API_KEY");
    });
});

describe("serviceExamples: chat", () => {
    it("curl posts the one-message chat body to /chat/completions with the key as a bearer token", () => {
        expect(serviceExamples(endpoint, "u-1/chat", ServiceTask.Chat).curl).toBe(
            [
                `curl ${endpoint}/chat/completions \\`,
                '  -H "Authorization: Bearer $MODEL_SERVICES_API_KEY" \\',
                '  -H "Content-Type: application/json" \\',
                `  -d '{"model":"u-1/chat","messages":[{"role":"user","content":"Hello!"}]}'`,
            ].join("\n"),
        );
    });

    it("Python calls chat.completions.create with keyword arguments and prints the reply", () => {
        expect(serviceExamples(endpoint, "u-1/chat", ServiceTask.Chat).python).toBe(
            [
                ...pythonHead,
                "result = client.chat.completions.create(",
                '    model="u-1/chat",',
                '    messages=[{"role": "user", "content": "Hello!"}],',
                ")",
                "print(result.choices[0].message.content)",
            ].join("\n"),
        );
    });

    it("Node calls chat.completions.create with the indented body and logs the reply", () => {
        expect(serviceExamples(endpoint, "u-1/chat", ServiceTask.Chat).node).toBe(
            [
                ...nodeHead,
                "const result = await client.chat.completions.create({",
                '  "model": "u-1/chat",',
                '  "messages": [',
                "    {",
                '      "role": "user",',
                '      "content": "Hello!"',
                "    }",
                "  ]",
                "});",
                "console.log(result.choices[0].message.content);",
            ].join("\n"),
        );
    });
});

describe("serviceExamples: vision", () => {
    it("curl posts a text part and an image_url part to /chat/completions", () => {
        expect(serviceExamples(endpoint, "u-1/vision", ServiceTask.Vision).curl).toBe(
            [
                `curl ${endpoint}/chat/completions \\`,
                '  -H "Authorization: Bearer $MODEL_SERVICES_API_KEY" \\',
                '  -H "Content-Type: application/json" \\',
                `  -d '{"model":"u-1/vision","messages":[{"role":"user","content":[{"type":"text","text":"What is in this image?"},{"type":"image_url","image_url":{"url":"${visionImage}"}}]}]}'`,
            ].join("\n"),
        );
    });

    it("Python nests the content parts as Python literals and prints the reply", () => {
        expect(serviceExamples(endpoint, "u-1/vision", ServiceTask.Vision).python).toBe(
            [
                ...pythonHead,
                "result = client.chat.completions.create(",
                '    model="u-1/vision",',
                `    messages=[{"role": "user", "content": [{"type": "text", "text": "What is in this image?"}, {"type": "image_url", "image_url": {"url": "${visionImage}"}}]}],`,
                ")",
                "print(result.choices[0].message.content)",
            ].join("\n"),
        );
    });

    it("Node calls chat.completions.create with both content parts and logs the reply", () => {
        expect(serviceExamples(endpoint, "u-1/vision", ServiceTask.Vision).node).toBe(
            [
                ...nodeHead,
                "const result = await client.chat.completions.create({",
                '  "model": "u-1/vision",',
                '  "messages": [',
                "    {",
                '      "role": "user",',
                '      "content": [',
                "        {",
                '          "type": "text",',
                '          "text": "What is in this image?"',
                "        },",
                "        {",
                '          "type": "image_url",',
                '          "image_url": {',
                `            "url": "${visionImage}"`,
                "          }",
                "        }",
                "      ]",
                "    }",
                "  ]",
                "});",
                "console.log(result.choices[0].message.content);",
            ].join("\n"),
        );
    });
});

describe("serviceExamples: embedding", () => {
    it("curl posts the model and one input to /embeddings", () => {
        expect(serviceExamples(endpoint, "u-1/embed", ServiceTask.Embedding).curl).toBe(
            [
                `curl ${endpoint}/embeddings \\`,
                '  -H "Authorization: Bearer $MODEL_SERVICES_API_KEY" \\',
                '  -H "Content-Type: application/json" \\',
                `  -d '{"model":"u-1/embed","input":"The food was delicious."}'`,
            ].join("\n"),
        );
    });

    it("Python calls embeddings.create and prints the vector's length", () => {
        expect(serviceExamples(endpoint, "u-1/embed", ServiceTask.Embedding).python).toBe(
            [...pythonHead, "result = client.embeddings.create(", '    model="u-1/embed",', '    input="The food was delicious.",', ")", "print(len(result.data[0].embedding))"].join("\n"),
        );
    });

    it("Node calls embeddings.create and logs the vector's length", () => {
        expect(serviceExamples(endpoint, "u-1/embed", ServiceTask.Embedding).node).toBe(
            [
                ...nodeHead,
                "const result = await client.embeddings.create({",
                '  "model": "u-1/embed",',
                '  "input": "The food was delicious."',
                "});",
                "console.log(result.data[0].embedding.length);",
            ].join("\n"),
        );
    });
});

describe("serviceExamples: image generation", () => {
    it("curl posts the prompt and a 1024x1024 size to /images/generations (vLLM-Omni answers b64_json by default)", () => {
        expect(serviceExamples(endpoint, "u-1/image", ServiceTask.ImageGeneration).curl).toBe(
            [
                `curl ${endpoint}/images/generations \\`,
                '  -H "Authorization: Bearer $MODEL_SERVICES_API_KEY" \\',
                '  -H "Content-Type: application/json" \\',
                `  -d '{"model":"u-1/image","prompt":"a lighthouse at dawn, watercolor","size":"1024x1024"}'`,
            ].join("\n"),
        );
    });

    it("Python calls images.generate and prints the start of the base64 image", () => {
        expect(serviceExamples(endpoint, "u-1/image", ServiceTask.ImageGeneration).python).toBe(
            [
                ...pythonHead,
                "result = client.images.generate(",
                '    model="u-1/image",',
                '    prompt="a lighthouse at dawn, watercolor",',
                '    size="1024x1024",',
                ")",
                "print(result.data[0].b64_json[:32])",
            ].join("\n"),
        );
    });

    it("Node calls images.generate and logs the start of the base64 image", () => {
        expect(serviceExamples(endpoint, "u-1/image", ServiceTask.ImageGeneration).node).toBe(
            [
                ...nodeHead,
                "const result = await client.images.generate({",
                '  "model": "u-1/image",',
                '  "prompt": "a lighthouse at dawn, watercolor",',
                '  "size": "1024x1024"',
                "});",
                "console.log(result.data[0].b64_json?.slice(0, 32));",
            ].join("\n"),
        );
    });
});

describe("serviceExamples: the three snippets of a task send the same request", () => {
    for (const task of Object.values(ServiceTask)) {
        it(`${task}: curl's -d body, the Python keyword arguments and the Node argument all parse to the task's body`, () => {
            const body = bodies[task];
            const examples = serviceExamples(endpoint, body.model as string, task);
            expect(curlBody(examples.curl)).toEqual(body);
            expect(pythonKwargs(examples.python)).toEqual(body);
            expect(nodeArgument(examples.node)).toEqual(body);
        });
    }

    it("the endpoint and the access name are used as given, and the key never appears", () => {
        const examples = serviceExamples("http://10.0.0.7:8080/v1", "team-a/llama", ServiceTask.Chat);
        expect(examples.curl.split("\n")[0]).toBe("curl http://10.0.0.7:8080/v1/chat/completions \\");
        expect(examples.python).toContain('client = OpenAI(base_url="http://10.0.0.7:8080/v1", api_key=os.environ["MODEL_SERVICES_API_KEY"])');
        expect(examples.node).toContain('new OpenAI({ baseURL: "http://10.0.0.7:8080/v1", apiKey: process.env.MODEL_SERVICES_API_KEY })');
        expect(curlBody(examples.curl)).toEqual({ model: "team-a/llama", messages: [{ role: "user", content: "Hello!" }] });
    });
});
