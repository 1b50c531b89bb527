using System.CommandLine;

namespace LgspHub.Cli.Broker;

/// <summary>./lgsp broker stop|kill|start [--node hub|test|outage]: one broker node alone, for outages and chaos tests.</summary>
internal static class BrokerCommand
{
    public static Command Create(HubRepository layout)
    {
        var nodes = BrokerNode.ByRole(layout.State);
        var node = new Option<string>("--node")
        {
            Description = "The node: the hub's (lgsp@localhost, amqp 5673), the tests' (lgsp-test@localhost, 5674) "
                + "or the outage tests' (lgsp-outage@localhost, 5675)",
            DefaultValueFactory = _ => "hub",
        };
        node.AcceptOnlyFromAmong([.. nodes.Keys]);
        BrokerProcess Node(ParseResult parsed) => new(nodes[parsed.GetValue(node)!], layout);

        var stop = new Command("stop", "Stop the broker node; the hub's services reconnect once it is back") { node };
        stop.SetAction(async (parsed, _) => { await Node(parsed).StopAsync(); return 0; });
        var kill = new Command("kill", "Kill the broker node (SIGKILL, as a crash): what it confirmed it keeps, and the hub's services reconnect once it is back") { node };
        kill.SetAction(async (parsed, _) => { await Node(parsed).KillAsync(); return 0; });
        var start = new Command("start", "Start the broker node (again), unless it runs") { node };
        start.SetAction(async (parsed, _) => { await Node(parsed).StartAsync(); return 0; });
        return new Command("broker", "Stop, kill or start a broker node alone, e.g. as an outage scenario's command") { stop, kill, start };
    }
}
