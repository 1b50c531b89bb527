using System.Text.RegularExpressions;

namespace LgspHub.Benchmarks;

/// <summary>docs/performance.md: each benchmark owns one section between its markers and rewrites it after a run.</summary>
public static partial class PerformanceDoc
{
    /// <summary>Replaces the section named <paramref name="name"/>, or appends it when the document has none yet.</summary>
    public static void WriteSection(string path, string name, string markdown)
    {
        var section = $"<!-- bench:{name} -->\n{markdown.Trim()}\n<!-- /bench:{name} -->";
        var document = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n";
        var existing = new Regex($@"<!-- bench:{Regex.Escape(name)} -->.*?<!-- /bench:{Regex.Escape(name)} -->", RegexOptions.Singleline);
        document = existing.IsMatch(document)
            ? existing.Replace(document, section.Replace("$", "$$"), 1)
            : document.TrimEnd() + "\n\n" + section + "\n";
        File.WriteAllText(path, document);
    }

    /// <summary>The value after <paramref name="option"/> in <paramref name="args"/>, if given.</summary>
    public static string? Option(IReadOnlyList<string> args, string option)
    {
        for (var i = 0; i < args.Count - 1; i++)
            if (args[i] == option)
                return args[i + 1];
        return null;
    }
}
