using System.CommandLine;

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

    /// <summary>--output / -o, repeatable, each value checked before the run starts.</summary>
    public static Option<string[]> Option()
    {
        var option = new Option<string[]>("--output", "-o") { Description = $"Stream the run as it goes: {Format}; repeatable" };
        option.Validators.Add(result =>
        {
            var specs = result.GetValueOrDefault<string[]>() ?? [];
            foreach (var spec in specs)
                if (!TryParse(spec, out _, out _, out var problem))
                    result.AddError(problem!);
            if (specs.Count(ToStandardOutput) > 1)
                result.AddError("--output: only one output can go to standard output ('-')");
        });
        return option;
    }

    public static bool ToStandardOutput(string text) => TryParse(text, out var kind, out var target, out _) && kind.StartsWith("json", StringComparison.Ordinal) && target == "-";

    /// <summary>The outputs the options name (files opened); a problem when one cannot be, such as a file in a folder that may not be written.</summary>
    public static bool TryCreate(IEnumerable<string> specs, TextWriter standardOutput, out IReadOnlyList<IRunOutput> outputs, out string problem)
    {
        var created = new List<IRunOutput>();
        (outputs, problem) = (created, "");
        foreach (var spec in specs)
        {
            if (!TryParse(spec, out var kind, out var target, out var invalid))
            {
                problem = invalid!;
                return false;
            }
            try
            {
                created.Add(kind switch
                {
                    "otlp" => new OtlpOutput(new Uri(target)),
                    _ when target == "-" => new JsonLinesOutput(standardOutput, samples: kind == "json-samples", ownsWriter: false),
                    _ => JsonLinesOutput.ToFile(target, samples: kind == "json-samples"),
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = $"--output {spec}: {e.Message}";
                return false;
            }
        }
        return true;
    }
}
