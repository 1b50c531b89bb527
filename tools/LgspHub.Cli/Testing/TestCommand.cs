using System.CommandLine;
using LgspHub.Cli.Broker;
using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Testing;

/// <summary>./lgsp test [dotnet test arguments]: every test of the solution against a fresh broker; "N passed, N failed" last.</summary>
internal static class TestCommand
{
    public static Command Create(HubRepository layout)
    {
        var test = new Command("test", "Start a fresh test broker (lgsp-test@localhost, amqp 5674, management 15674), build, run 'dotnet test' "
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
        BrokerProcess? broker = null;
        var brokerStarted = Task.CompletedTask;
        try
        {
            var ownBroker = Environment.GetEnvironmentVariable("LGSP_RABBITMQ_URL") is not { Length: > 0 };
            // In one go, before anything runs at the same time: the dashboard's tests drive a real headless browser
            // (Chromium); the deploy tests check the Prometheus files with promtool and run a real Prometheus; the
            // agencies' database tests run on SQLite and on a PostgreSQL server of their own.
            (string, string)[] packages = [DebianPackages.Chromium, DebianPackages.Prometheus, DebianPackages.Node, DebianPackages.Npm, DebianPackages.PostgreSql];
            await DebianPackages.EnsureAsync(layout, ownBroker ? [DebianPackages.RabbitMq, .. packages] : packages);
            if (!ownBroker)
                Say.Info("using broker from LGSP_RABBITMQ_URL");
            else
            {
                // A fresh node every run: stop a leftover one, wipe its folder, start again.
                var node = BrokerNode.Test(layout.State);
                broker = new BrokerProcess(node, layout);
                await broker.StopAsync();
                if (Directory.Exists(node.Directory))
                    Directory.Delete(node.Directory, recursive: true);
                // It boots (about 10 s) while the solution builds.
                brokerStarted = broker.StartAsync();
                environment["LGSP_RABBITMQ_URL"] = node.AmqpUrl;
                environment["LGSP_RABBITMQ_MANAGEMENT_URL"] = node.ManagementUrl;
                // The chaos tests stop, or kill, and start the broker under load.
                var lgsp = Path.Combine(layout.Root, "lgsp");
                environment["LGSP_BROKER_STOP"] = $"{lgsp} broker stop --test";
                environment["LGSP_BROKER_KILL"] = $"{lgsp} broker kill --test";
                environment["LGSP_BROKER_START"] = $"{lgsp} broker start --test";
            }
            await Task.WhenAll(brokerStarted, BuildAsync(layout));

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

            // Done with the broker now, so that the summary below is the very last line.
            if (broker is not null)
                await broker.DiscardAsync();
            broker = null;
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
            // Task.WhenAll above has let the broker's start end, however the build went.
            if (broker is not null)
                await broker.StopAsync();
        }
    }

    /// <summary>The contract linters and the solution's Release build.</summary>
    private static async Task BuildAsync(HubRepository layout)
    {
        await ContractLint.EnsureAsync(layout);
        await DotnetBuild.SolutionAsync(layout.Solution);
    }
}
