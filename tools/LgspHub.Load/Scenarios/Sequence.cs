using System.Text.Json;
using System.Text.RegularExpressions;

namespace LgspHub.Load.Scenarios;

/// <summary>Requests a scenario file defines, sent one after the other for each arrival; values flow from answers to later steps.</summary>
public sealed record Sequence(string Name, string Description, IReadOnlyList<SequenceStep> Steps);

/// <summary>
/// One request of a sequence. <see cref="Operation"/> names it in the report and the metrics, never its path
/// (a path holds personal IDs). <see cref="Extract"/> takes values out of the answer for the steps after it.
/// </summary>
public sealed record SequenceStep(
    string Operation,
    HttpMethod Method,
    Template Path,
    IReadOnlyList<KeyValuePair<string, Template>> Headers,
    JsonElement? Body,
    IReadOnlyDictionary<string, JsonFieldPath> Extract,
    IReadOnlyList<ResponseCheck> Checks)
{
    public bool NeedsBody => Extract.Count > 0 || Checks.Any(c => c.NeedsBody);
}

/// <summary>Text with placeholders, "/api/land/owners/{{owner.personalId}}/parcels".</summary>
public sealed partial class Template(string text)
{
    [GeneratedRegex(@"\{\{\s*(?<name>[A-Za-z][A-Za-z0-9_.-]*)\s*\}\}")]
    private static partial Regex Placeholder();

    public string Text { get; } = text;

    public IReadOnlyList<string> Names { get; } = Placeholder().Matches(text).Select(m => m.Groups["name"].Value).Distinct().ToList();

    /// <summary>The one placeholder a string is made of ("{{owner}}"), so a body can take the value with its JSON type.</summary>
    public string? Whole => Placeholder().Match(Text) is { Success: true } m && m.Length == Text.Length ? m.Groups["name"].Value : null;

    public string Render(Func<string, string> value) => Names.Count == 0 ? Text : Placeholder().Replace(Text, m => value(m.Groups["name"].Value));

    /// <summary>Every placeholder of a JSON body's strings (property names are left as written).</summary>
    public static IEnumerable<string> NamesIn(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => new Template(element.GetString()!).Names,
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => NamesIn(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(NamesIn),
        _ => [],
    };
}
