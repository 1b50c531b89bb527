using LgspHub.Cli.Testing;

namespace LgspHub.Cli.Tests;

/// <summary>The "N passed, N failed" line of ./lgsp test, which CI reads last: summed over every project's .trx.</summary>
public sealed class TrxCountersTests
{
    [Fact]
    public void Counters_of_every_trx_are_summed_and_errors_timeouts_and_aborts_count_as_failed()
    {
        var folder = Directory.CreateTempSubdirectory();
        try
        {
            const string trx = """<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><ResultSummary><Counters total="{0}" passed="{1}" failed="{2}" error="{3}" timeout="{4}" aborted="{5}" /></ResultSummary></TestRun>""";
            File.WriteAllText(Path.Combine(folder.FullName, "a.trx"), string.Format(System.Globalization.CultureInfo.InvariantCulture, trx, 10, 9, 1, 0, 0, 0));
            Directory.CreateDirectory(Path.Combine(folder.FullName, "b"));
            File.WriteAllText(Path.Combine(folder.FullName, "b", "b.trx"), string.Format(System.Globalization.CultureInfo.InvariantCulture, trx, 5, 2, 0, 1, 1, 1));

            Assert.Equal((11, 4), TrxCounters.Sum(folder.FullName));
            Assert.Equal((0, 0), TrxCounters.Sum(Path.Combine(folder.FullName, "none")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
