using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Pointer;
using Json.Schema;

namespace LgspHub.Conform;

/// <summary>
/// A JSON value against a schema of an OpenAPI 3.1 or AsyncAPI document (JSON Schema 2020-12), with JsonSchema.Net.
/// The document's shared schemas (<c>#/components/schemas</c>) travel with each schema as its <c>$defs</c>, so its
/// references resolve without registering the whole document.
/// </summary>
public sealed class Schemas(JsonObject? components)
{
    private const string ComponentsRef = "#/components/schemas/";
    private readonly Dictionary<string, JsonSchema> _built = new(StringComparer.Ordinal);

    private static readonly EvaluationOptions Evaluation = new()
    {
        OutputFormat = OutputFormat.List,
        // date, date-time, uuid: asserted, as a client generated from the document would parse them.
        RequireFormatValidation = true,
    };

    /// <returns>Each way <paramref name="value"/> breaks the schema, with a JSON path into the value.</returns>
    public IReadOnlyList<Mismatch> Check(JsonNode schema, JsonElement value, string? status)
    {
        var built = Build(schema);
        var results = built.Evaluate(value, Evaluation);
        if (results.IsValid)
            return [];
        var mismatches = new List<Mismatch>();
        foreach (var detail in (results.Details ?? []).Prepend(results))
        {
            if (detail.IsValid || detail.Errors is not { Count: > 0 } errors)
                continue;
            foreach (var (keyword, message) in errors)
            {
                // The branches of a failed anyOf/oneOf repeat what their own keywords already said.
                if (keyword is "anyOf" or "oneOf" or "allOf" or "$ref" or "items" or "properties")
                    continue;
                mismatches.Add(new Mismatch(status, JsonPath(detail.InstanceLocation), $"{keyword}: {message}", Actual(value, detail.InstanceLocation)));
            }
        }
        if (mismatches.Count == 0)
            mismatches.Add(new Mismatch(status, "$", "a value valid against the schema", Truncate(value.GetRawText())));
        return mismatches.DistinctBy(m => (m.Path, m.Expected)).ToList();
    }

    private JsonSchema Build(JsonNode schema)
    {
        var text = schema.ToJsonString();
        if (_built.TryGetValue(text, out var cached))
            return cached;
        var root = JsonNode.Parse(Rewrite(text))!.AsObject();
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        if (components is not null)
            root["$defs"] = JsonNode.Parse(Rewrite(components.ToJsonString()));
        // Each its own registry and base URI: two responses may share a shape but not a $defs.
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema built;
        try
        {
            built = JsonSchema.FromText(root.ToJsonString(), options, new Uri($"https://lgsp-conform.invalid/schemas/{_built.Count}"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new ConformException($"the contract holds a schema JSON Schema 2020-12 cannot read ({e.Message}): {Truncate(text)}", e);
        }
        _built[text] = built;
        return built;
    }

    private static string Rewrite(string json) => json.Replace($"\"{ComponentsRef}", "\"#/$defs/", StringComparison.Ordinal);

    /// <summary>A JSON Pointer as a JSONPath (<c>/items/0/name</c> → <c>$.items[0].name</c>), the way reports name fields.</summary>
    public static string JsonPath(JsonPointer location)
    {
        var path = "$";
        for (var i = 0; i < location.SegmentCount; i++)
        {
            var segment = location[i].ToString();
            path += int.TryParse(segment, out _) ? $"[{segment}]" : $".{segment}";
        }
        return path;
    }

    private static string Actual(JsonElement value, JsonPointer location)
    {
        var node = JsonNode.Parse(value.GetRawText());
        return location.TryEvaluate(node, out var found) ? Truncate(found?.ToJsonString() ?? "null") : "(missing)";
    }

    public static string Truncate(string text) => text.Length <= 160 ? text : text[..157] + "...";
}
