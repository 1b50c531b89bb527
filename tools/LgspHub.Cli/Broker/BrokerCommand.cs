using System.CommandLine;

namespace LgspHub.Cli.Broker;

/// <summary>./lgsp broker stop|kill|start [--test]: the hub's broker node (or the test node) alone, for outages and chaos tests.</summary>
internal static class BrokerCommand
{
    public static Command Create(HubRepository layout)
    {
        var test = new Option<bool>("--test") { Description = "The test node (lgsp-test@localhost, amqp 5674) instead of the hub's (lgsp@localhost, amqp 5673)" };
        BrokerProcess Node(ParseResult parsed) => new(parsed.GetValue(test) ? BrokerNode.Test(layout.State) : BrokerNode.Hub(layout.State), layout);

        var stop = new Command("stop", "Stop the broker node; the hub's services reconnect once it is back") { test };
        stop.SetAction(async (parsed, _) => { await Node(parsed).StopAsync(); return 0; });
        var kill = new Command("kill", "Kill the broker node (SIGKILL, as a crash): what it confirmed it keeps, and the hub's services reconnect once it is back") { test };
        kill.SetAction(async (parsed, _) => { await Node(parsed).KillAsync(); return 0; });
        var start = new Command("start", "Start the broker node (again), unless it runs") { test };
        start.SetAction(async (parsed, _) => { await Node(parsed).StartAsync(); return 0; });
        return new Command("broker", "Stop, kill or start the hub's broker node alone, e.g. as an outage scenario's command") { stop, kill, start };
    }
}
