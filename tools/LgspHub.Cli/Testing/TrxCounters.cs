using System.Xml.Linq;

namespace LgspHub.Cli.Testing;

/// <summary>The passed and failed counts of every .trx file below a folder (one per test project).</summary>
internal static class TrxCounters
{
    /// <summary>"Failed" also counts the TRX error, timeout and aborted counters: none of them is a pass.</summary>
    public static (int Passed, int Failed) Sum(string directory)
    {
        var (passed, failed) = (0, 0);
        if (!Directory.Exists(directory))
            return (0, 0);
        foreach (var file in Directory.EnumerateFiles(directory, "*.trx", SearchOption.AllDirectories))
        {
            var counters = XDocument.Load(file).Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
            if (counters is null)
                continue;
            int Count(string name) => int.TryParse(counters.Attribute(name)?.Value, out var n) ? n : 0;
            passed += Count("passed");
            failed += Count("failed") + Count("error") + Count("timeout") + Count("aborted");
        }
        return (passed, failed);
    }
}
