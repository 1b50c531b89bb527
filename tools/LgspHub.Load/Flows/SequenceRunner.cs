using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Flows;

/// <summary>
/// Sends a scenario's own sequence for one arrival: each step's placeholders filled from the province's seed and
/// from what earlier steps extracted. A step that does not succeed, or whose answer lacks a value to extract
/// (a failed check named "extract NAME"), ends the sequence: the steps after it would send nonsense.
/// </summary>
public sealed class SequenceRunner(HubClient hub, ProvinceData data, Measurements measurements, Func<TimeSpan> elapsed)
{
    public async Task RunAsync(Sequence sequence, string consumer, TimeSpan intended, CancellationToken stop)
    {
        var values = new SequenceValues(data);
        for (var i = 0; i < sequence.Steps.Count; i++)
        {
            var step = sequence.Steps[i];
            var measuredFrom = i == 0 ? intended : elapsed();
            var path = step.Path.Render(name => Uri.EscapeDataString(values.Text(name)));
            var headers = step.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.Render(values.Text))).ToList();
            var answer = await hub.SendAsync(consumer, step.Operation, step.Method, path, step.Body is { } body ? Content(body, values) : null,
                measuredFrom, stop, readBody: step.NeedsBody, checks: step.Checks, headers: headers);
            if (answer.Outcome != Outcome.Succeeded)
                return;
            foreach (var (name, field) in step.Extract)
            {
                var value = default(JsonElement);
                var found = answer.Body is { } json && field.TryFind(json, out value) && value.ValueKind != JsonValueKind.Null;
                measurements.Check(step.Operation, $"extract {name}", found, measuredFrom, elapsed());
                if (!found)
                    return;
                values.Set(name, value.Clone());
            }
        }
    }

    /// <summary>The step's JSON body with its placeholders filled; a string that is one placeholder takes the value's own JSON type.</summary>
    private static ByteArrayContent Content(JsonElement body, SequenceValues values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, body, values);
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
        return content;
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element, SequenceValues values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, values);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                    Write(writer, item, values);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                var template = new Template(element.GetString()!);
                if (template.Whole is { } name)
                    values.Get(name).WriteTo(writer);
                else
                    writer.WriteStringValue(template.Render(values.Text));
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
