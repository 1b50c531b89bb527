namespace LgspHub.Load.Outputs;

/// <summary>
/// The --output option, as k6 writes it: json=FILE (a line of figures a second), json-samples=FILE (a line per
/// request and check), FILE "-" for standard output, otlp=URL (OpenTelemetry metrics over HTTP).
/// </summary>
public static class OutputSpec
{
    public const string Format = "json=FILE, json-samples=FILE (FILE '-': standard output) or otlp=URL";

    public static bool TryParse(string text, out string kind, out string target, out string? problem)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        (kind, target) = equals < 0 ? (text, "") : (text[..equals], text[(equals + 1)..]);
        problem = kind switch
        {
            _ when target.Length == 0 => $"--output {text}: give {Format}",
            "json" or "json-samples" => null,
            "otlp" when Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" => null,
            "otlp" => $"--output otlp=URL: an http(s) URL of an OTLP receiver, such as http://127.0.0.1:4318 (was '{target}')",
            _ => $"--output {text}: unknown output '{kind}' ({Format})",
        };
        return problem is null;
    }

    public static bool ToStandardOutput(string text) => TryParse(text, out var kind, out var target, out _) && kind.StartsWith("json", StringComparison.Ordinal) && target == "-";

    /// <summary>The outputs the options name; standard output is given to at most one of them.</summary>
    public static IReadOnlyList<IRunOutput> Create(IEnumerable<string> specs, TextWriter standardOutput)
    {
        var outputs = new List<IRunOutput>();
        foreach (var spec in specs)
        {
            if (!TryParse(spec, out var kind, out var target, out var problem))
                throw new ArgumentException(problem, nameof(specs));
            outputs.Add(kind switch
            {
                "otlp" => new OtlpOutput(new Uri(target)),
                _ when target == "-" => new JsonLinesOutput(standardOutput, samples: kind == "json-samples", ownsWriter: false),
                _ => JsonLinesOutput.ToFile(target, samples: kind == "json-samples"),
            });
        }
        return outputs;
    }
}
