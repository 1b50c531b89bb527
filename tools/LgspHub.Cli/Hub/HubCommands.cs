using System.CommandLine;
using LgspHub.Cli.Broker;
using LgspHub.Cli.Machine;
using Spectre.Console;

namespace LgspHub.Cli.Hub;

/// <summary>./lgsp up and ./lgsp down: the hub as its AppHost defines it, on this machine.</summary>
internal static class HubCommands
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("LGSP_HEALTH_TIMEOUT"), out var seconds) ? seconds : 90);

    public static Command Up(HubRepository layout)
    {
        var detach = new Option<bool>("--detach", "-d") { Description = "Leave the hub running in the background (stop it with ./lgsp down)" };
        var instances = new Option<string[]>("--instances")
        {
            Description = "Further instances of agencies, e.g. population=2 (ports 10 up each: population-2 on 5111), sharing the agency's database and queues",
            AllowMultipleArgumentsPerToken = false,
        };
        var agency = new Option<string[]>("--agency")
        {
            Description = "Route an agency to a system of your own instead of starting its mock, e.g. land=http://127.0.0.1:7000 (docs/bring-your-own-agency.md)",
        };
        var noDashboard = new Option<bool>("--no-dashboard") { Description = "Run no Aspire dashboard (a load run may want its CPU back)" };
        var postgres = new Option<bool>("--postgres")
        {
            Description = "Keep the agencies' and the gateway's data on the hub's own PostgreSQL server (Debian's postgresql, "
                + "127.0.0.1:5433, data in .lgsp/postgres), a database each, instead of SQLite files",
        };
        var up = new Command("up", "Build the solution (Release) and run the hub's AppHost: RabbitMQ (lgsp@localhost, amqp 127.0.0.1:5673, "
            + "management http://127.0.0.1:15673, guest/guest), the gateway, the four agencies and Aspire's dashboard; wait until every host "
            + "answers /health/ready. In the foreground until Ctrl-C, which stops everything it started.")
        { detach, instances, agency, noDashboard, postgres };
        up.SetAction(async (parsed, cancellationToken) =>
        {
            var options = UpOptions.Parse(parsed.GetValue(instances) ?? [], parsed.GetValue(agency) ?? [], parsed.GetValue(noDashboard), parsed.GetValue(postgres));
            return await UpAsync(layout, options, parsed.GetValue(detach), cancellationToken);
        });
        return up;
    }

    public static Command Down(HubRepository layout)
    {
        var down = new Command("down", "Stop what 'up --detach' started, and the hub's broker node and PostgreSQL server if they outlived it. Idempotent.");
        down.SetAction(async (_, _) =>
        {
            await new AppHostProcess(layout).StopAsync();
            // A broker left by an AppHost that was killed, or started alone with ./lgsp broker start.
            await new BrokerProcess(BrokerNode.Hub(layout.State), layout).StopAsync();
            // Likewise the hub's PostgreSQL server (up --postgres).
            if (PostgresCluster.Hub(layout.State) is { Running: true } postgres)
                await postgres.StopAsync(immediately: false);
            Say.Info("down");
            return 0;
        });
        return down;
    }

    private static async Task<int> UpAsync(HubRepository layout, UpOptions options, bool detach, CancellationToken cancellationToken)
    {
        var appHost = new AppHostProcess(layout);
        if (appHost.Pid is { } running)
            throw new CliException($"the hub is already running (AppHost pid {running}); run ./lgsp down first");
        var ownBroker = Environment.GetEnvironmentVariable("LGSP_RABBITMQ_URL") is { Length: > 0 };
        if (ownBroker)
            Say.Info("using broker from LGSP_RABBITMQ_URL");
        else
        {
            await DebianPackages.EnsureAsync(layout, DebianPackages.RabbitMq);
            if (await new BrokerProcess(BrokerNode.Hub(layout.State), layout).RunningAsync())
                throw new CliException("the hub's broker lgsp@localhost is already running; run ./lgsp down first");
        }
        if (options.Postgres)
        {
            await DebianPackages.EnsureAsync(layout, DebianPackages.PostgreSql);
            if (PostgresCluster.Hub(layout.State).Running)
                throw new CliException("the hub's PostgreSQL server (.lgsp/postgres) is already running; run ./lgsp down first");
        }
        await DotnetBuild.SolutionAsync(layout.Solution);

        Say.Info("starting the hub (apphost/LgspHub.AppHost)...");
        appHost.Start(options.AppHostSettings(Environment.GetEnvironmentVariable));
        var stopped = false;
        try
        {
            await appHost.WaitReadyAsync(ReadyTimeout).WaitAsync(cancellationToken);
            await WarnOfOwnAgenciesAsync(options);
            PrintUrls(layout, appHost, options, ownBroker);
            if (detach)
            {
                Say.Info("running in the background; stop with: ./lgsp down");
                return 0;
            }
            Say.Info("running; press Ctrl-C to stop");
            while (appHost.Pid is not null)
                await Task.Delay(1000, cancellationToken);
            Say.Warn("the AppHost exited unexpectedly");
            Say.LogTail(appHost.LogFile);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await appHost.StopAsync();
            stopped = true;
            return 0;
        }
        finally
        {
            if (!detach && !stopped)
                await appHost.StopAsync();
        }
    }

    /// <summary>A system of one's own that does not answer yet is not an error: the gateway routes to it once it does.</summary>
    private static async Task WarnOfOwnAgenciesAsync(UpOptions options)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var (agency, url) in options.OwnAgencies)
        {
            var healthy = false;
            try
            {
                healthy = (await http.GetAsync(new Uri(new Uri(url), "/health/ready"))).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (!healthy)
                Say.Warn($"{agency}: {url}/health/ready does not answer 200; the gateway routes to it once it does (docs/bring-your-own-agency.md)");
        }
    }

    private static void PrintUrls(HubRepository layout, AppHostProcess appHost, UpOptions options, bool ownBroker)
    {
        var table = new Table().NoBorder().AddColumn("service").AddColumn("url");
        foreach (var (instance, url) in layout.Run.Instances())
            table.AddRow(instance, url.ToString().TrimEnd('/') + (options.OwnAgencies.ContainsKey(instance) ? " (your system)" : ""));
        table.AddEmptyRow();
        foreach (var agency in layout.Agencies)
            table.AddRow($"{agency.Name} OpenAPI", $"{layout.Gateway.Url}api/{agency.Name}/openapi/v1.json");
        table.AddEmptyRow();
        var node = BrokerNode.Hub(layout.State);
        table.AddRow("rabbitmq", ownBroker ? "(LGSP_RABBITMQ_URL)" : node.AmqpUrl);
        if (!ownBroker)
            table.AddRow("rabbitmq ui", $"http://127.0.0.1:{node.ManagementPort} (guest/guest)");
        // Every host's traces, structured logs and metrics, their health, and a restart button.
        table.AddRow("dashboard", Markup.Escape(appHost.DashboardUrl ?? "(none: --no-dashboard)"));
        table.AddRow("logs", Markup.Escape(layout.Logs + "/"));
        AnsiConsole.Write(table);
    }
}
