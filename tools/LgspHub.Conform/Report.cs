using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LgspHub.Conform;

/// <summary>One way an answer or an event differs from the contract: where (status, JSON path), what the contract says, what came.</summary>
public sealed record Mismatch(string? Status, string? Path, string Expected, string Actual);

/// <summary>One check of a subject: a request case ("a seeded parcel") and what was checked of its answer ("status").</summary>
public sealed record Check(string Case, string What, bool Passed, IReadOnlyList<Mismatch> Mismatches);

/// <summary>An operation of the OpenAPI document, an event of the AsyncAPI document, or the agency's access rule, with its checks.</summary>
public sealed class Subject(string kind, string name)
{
    private readonly List<Check> _checks = [];

    public string Kind { get; } = kind;

    public string Name { get; } = name;

    public IReadOnlyList<Check> Checks => _checks;

    /// <summary>Why nothing could be checked, when nothing was.</summary>
    public string? Note { get; set; }

    public int Passed => _checks.Count(c => c.Passed);

    public int Total => _checks.Count;

    /// <summary>Passed checks over checks, in percent; null when nothing was checked.</summary>
    public double? Score => Total == 0 ? null : 100.0 * Passed / Total;

    public void Pass(string @case, string what) => _checks.Add(new Check(@case, what, true, []));

    public void Fail(string @case, string what, params Mismatch[] mismatches) => _checks.Add(new Check(@case, what, false, mismatches));

    public void Add(string @case, string what, IReadOnlyList<Mismatch> mismatches) =>
        _checks.Add(new Check(@case, what, mismatches.Count == 0, mismatches));
}

public static class SubjectKinds
{
    public const string Operation = "operation";
    public const string Event = "event";
    public const string Access = "access";
}

/// <summary>What <c>lgsp conform</c> found: a score per operation and event, each mismatch, the overall score.</summary>
public sealed class ConformanceReport(string agency, Uri system, string contract)
{
    public string Agency { get; } = agency;

    public Uri System { get; } = system;

    /// <summary>Where the OpenAPI document came from (the hub's own mock, a file, a URL).</summary>
    public string Contract { get; } = contract;

    public List<Subject> Subjects { get; } = [];

    /// <summary>Said when the events were not checked (no broker given).</summary>
    public string? EventsNote { get; set; }

    public int Passed => Subjects.Sum(s => s.Passed);

    public int Total => Subjects.Sum(s => s.Total);

    public double Score => Total == 0 ? 0 : 100.0 * Passed / Total;

    /// <summary>Conformant: every check passed, and there were checks.</summary>
    public bool Conformant => Total > 0 && Passed == Total;

    public Subject Add(string kind, string name)
    {
        var subject = new Subject(kind, name);
        Subjects.Add(subject);
        return subject;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Read by people and by jq, not put in a page: names and apostrophes as they are, not \u escapes.
        Encoder = global::System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(new
    {
        agency = Agency,
        system = System.ToString(),
        contract = Contract,
        score = Math.Round(Score, 1),
        passed = Passed,
        checks = Total,
        conformant = Conformant,
        eventsNote = EventsNote,
        subjects = Subjects.Select(s => new
        {
            kind = s.Kind,
            name = s.Name,
            score = s.Score is { } score ? Math.Round(score, 1) : (double?)null,
            passed = s.Passed,
            checks = s.Total,
            note = s.Note,
            results = s.Checks,
        }),
    }, Json);

    public string ToText()
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"Conformance of {System} as {Agency} (contract: {Contract})");
        text.AppendLine();
        var width = Math.Max(20, Subjects.Select(s => s.Name.Length).DefaultIfEmpty(0).Max());
        foreach (var group in Subjects.GroupBy(s => s.Kind))
        {
            text.AppendLine(culture, $"{(group.Key == SubjectKinds.Access ? "access" : group.Key + "s")}:");
            foreach (var subject in group)
            {
                var score = subject.Score is { } value ? $"{value,6:0.0} %  {subject.Passed}/{subject.Total}" : $"     –    {subject.Note}";
                text.AppendLine(culture, $"  {subject.Name.PadRight(width)}  {score}");
            }
            text.AppendLine();
        }
        if (EventsNote is not null)
            text.AppendLine(culture, $"events: {EventsNote}").AppendLine();
        var failed = Subjects.SelectMany(s => s.Checks.Where(c => !c.Passed).Select(c => (s, c))).ToList();
        if (failed.Count > 0)
        {
            text.AppendLine("mismatches:");
            foreach (var (subject, check) in failed)
            {
                text.AppendLine(culture, $"  {subject.Name} · {check.Case} · {check.What}");
                foreach (var m in check.Mismatches)
                {
                    var where = string.Join(" ", new[] { m.Status is null ? null : $"status {m.Status}", m.Path }.Where(p => p is not null));
                    text.AppendLine(culture, $"    {(where.Length > 0 ? where + ": " : "")}expected {m.Expected}, got {m.Actual}");
                }
            }
            text.AppendLine();
        }
        text.AppendLine(culture, $"overall: {Score:0.0} % ({Passed}/{Total} checks){(Conformant ? ", conformant" : ", not conformant")}");
        return text.ToString();
    }
}
