using System.Text.Json;

namespace LgspHub.Load.Scenarios;

/// <summary>
/// What an answer must be beyond the hub's count of it (k6's check): a status, a JSON field present, or equal
/// to a value. A failed check is counted apart from failures: the hub answered, with the wrong thing.
/// </summary>
public sealed record ResponseCheck(string Name, string? Operation, int? Status, JsonFieldPath? Field, JsonElement? Expected)
{
    public bool NeedsBody => Field is not null;

    public bool AppliesTo(string operation) => Operation is null || Operation == operation;

    public bool Passes(int status, JsonElement? body)
    {
        if (Status is { } wanted && status != wanted)
            return false;
        if (Field is null)
            return true;
        if (body is not { } json || !Field.TryFind(json, out var value))
            return false;
        return Expected is { } expected ? JsonElement.DeepEquals(value, expected) : value.ValueKind != JsonValueKind.Null;
    }

    /// <summary>The name a check gets when the file gives none: "status 200", "matches == true", "ownerPersonalId present".</summary>
    public static string DefaultName(int? status, string? field, JsonElement? expected) => string.Join(" and ", new[]
    {
        status is { } s ? $"status {s}" : null,
        field is null ? null : expected is { } e ? $"{field} == {e.GetRawText()}" : $"{field} present",
    }.OfType<string>());
}

/// <summary>
/// A field of a JSON answer: "ownerPersonalId", "$.card.number", "items[0].id" or "items.0.id". Written here:
/// the subset of JSONPath a check or an extraction needs is a dozen lines, and no JSONPath package is served.
/// </summary>
public sealed class JsonFieldPath
{
    private readonly IReadOnlyList<string> _segments;

    private JsonFieldPath(string text, IReadOnlyList<string> segments) => (Text, _segments) = (text, segments);

    public string Text { get; }

    public override string ToString() => Text;

    public static bool TryParse(string? text, out JsonFieldPath path)
    {
        path = null!;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var rest = text.Trim();
        rest = rest.StartsWith("$.", StringComparison.Ordinal) ? rest[2..] : rest == "$" ? "" : rest;
        var segments = new List<string>();
        foreach (var part in rest.Length == 0 ? [] : rest.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            if (name.Length > 0)
                segments.Add(name);
            else if (bracket != 0)
                return false;   // "a..b"
            for (var tail = bracket < 0 ? "" : part[bracket..]; tail.Length > 0;)
            {
                var close = tail.IndexOf(']', StringComparison.Ordinal);
                if (!tail.StartsWith('[') || close < 2 || !tail[1..close].All(char.IsAsciiDigit))
                    return false;
                segments.Add(tail[1..close]);
                tail = tail[(close + 1)..];
            }
        }
        path = new JsonFieldPath(text.Trim(), segments);
        return true;
    }

    public bool TryFind(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (var segment in _segments)
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(segment, out var property))
                value = property;
            else if (value.ValueKind == JsonValueKind.Array && int.TryParse(segment, out var index) && index < value.GetArrayLength())
                value = value[index];
            else
                return false;
        }
        return true;
    }
}
