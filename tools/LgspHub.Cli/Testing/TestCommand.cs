using System.CommandLine;
using LgspHub.Cli.Broker;
using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Testing;

/// <summary>./lgsp test [dotnet test arguments]: every test of the solution against a fresh broker; "N passed, N failed" last.</summary>
internal static class TestCommand
{
    public static Command Create(HubRepository layout)
    {
        var test = new Command("test", "Start fresh test brokers (lgsp-test@localhost, amqp 5674, management 15674; the outage tests' "
            + "lgsp-outage@localhost, 5675 and 15675), build, run 'dotnet test' "
            + "(further arguments, such as --filter, are passed on), stop the broker and print 'N passed, N failed' last")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        test.SetAction(async (parsed, cancellationToken) => await RunAsync(layout, parsed.UnmatchedTokens, cancellationToken));
        return test;
    }

    private static async Task<int> RunAsync(HubRepository layout, IReadOnlyList<string> testArguments, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>();
        List<BrokerProcess> brokers = [];
        try
        {
            var ownBroker = Environment.GetEnvironmentVariable("LGSP_RABBITMQ_URL") is not { Length: > 0 };
            // In one go, before anything runs at the same time: the dashboard's tests drive a real headless browser
            // (Chromium); the deploy tests check the Prometheus files with promtool and run a real Prometheus; the
            // agencies' database tests run on SQLite and on a PostgreSQL server of their own. The outage tests' broker
            // is always ours, even beside a broker of one's own: they kill it.
            await DebianPackages.EnsureAsync(layout, [DebianPackages.RabbitMq, DebianPackages.Chromium, DebianPackages.Prometheus,
                DebianPackages.Node, DebianPackages.Npm, DebianPackages.PostgreSql]);
            var nodes = new Dictionary<string, BrokerNode> { ["LGSP_OUTAGE_RABBITMQ"] = BrokerNode.Outage(layout.State) };
            if (ownBroker)
                nodes["LGSP_RABBITMQ"] = BrokerNode.Test(layout.State);
            else
                Say.Info("using broker from LGSP_RABBITMQ_URL");
            // A fresh node every run: stop a leftover one and wipe its folder; each boots (about 6 s) while the solution builds.
            foreach (var (variable, node) in nodes)
            {
                var broker = new BrokerProcess(node, layout);
                await broker.StopAsync();
                if (Directory.Exists(node.Directory))
                    Directory.Delete(node.Directory, recursive: true);
                brokers.Add(broker);
                environment[variable + "_URL"] = node.AmqpUrl;
                environment[variable + "_MANAGEMENT_URL"] = node.ManagementUrl;
            }
            // Task.WhenAll lets every start end, however the build goes.
            await Task.WhenAll([.. brokers.Select(b => b.StartAsync()), BuildAsync(layout)]);

            var results = Path.Combine(layout.State, "test-results");
            if (Directory.Exists(results))
                Directory.Delete(results, recursive: true);
            Directory.CreateDirectory(results);
            Say.Info("running tests...");
            // LogFilePrefix, not LogFileName: with a fixed name every test project of the solution overwrites the same
            // .trx; a prefix gives lgsp_net10.0_<timestamp>.trx, bumped to a free name per project.
            var code = await Processes.RunAsync("dotnet",
                ["test", layout.Solution, "-c", "Release", "--no-build", "--logger", "trx;LogFilePrefix=lgsp", "--results-directory", results, .. testArguments],
                environment: environment);
            cancellationToken.ThrowIfCancellationRequested();

            // Done with the brokers now, so that the summary below is the very last line.
            foreach (var broker in brokers)
                await broker.DiscardAsync();
            brokers.Clear();
            var (passed, failed) = TrxCounters.Sum(results);
            if (code != 0)
                Say.Warn($"dotnet test exited with {code}");
            if (passed == 0)
                Say.Warn($"no test passed (results: {results})");
            Console.WriteLine($"{passed} passed, {failed} failed");
            return code != 0 ? code : failed > 0 || passed == 0 ? ExitCodes.Failed : 0;
        }
        finally
        {
            foreach (var broker in brokers)
                await broker.StopAsync();
        }
    }

    /// <summary>The contract linters and the solution's Release build, at once: npm ci takes about 10 s, logged apart.</summary>
    private static Task BuildAsync(HubRepository layout) =>
        Task.WhenAll(ContractLint.EnsureAsync(layout), DotnetBuild.SolutionAsync(layout.Solution));
}
