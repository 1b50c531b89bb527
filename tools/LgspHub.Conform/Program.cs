using System.CommandLine;
using System.Globalization;
using LgspHub.Conform;
using LgspHub.Contracts;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var agencyArgument = new Argument<string>("agency") { Description = "The agency whose contract is run: " + string.Join(", ", HubAgencies.All) };
agencyArgument.AcceptOnlyFromAmong([.. HubAgencies.All]);
var urlArgument = new Argument<string>("url") { Description = "The system under test, as the gateway reaches it (http://127.0.0.1:7000)" };
var brokerOption = new Option<string?>("--broker") { Description = "The hub's broker (amqp://user:password@host:port/), as a user that may publish and bind every event's exchange: checks the events too" };
var keyOption = new Option<string?>("--gateway-key") { Description = "The key the gateway presents to the system (Authorization: LgspGateway <key>); default: LGSP_GATEWAY_KEY" };
var contractOption = new Option<string?>("--contract") { Description = "The agency's OpenAPI document, a URL or a file, instead of the hub's own mock's" };
var mockOption = new Option<string?>("--mock") { Description = "The hub's build of the agency (its .dll), started for a moment to serve the contract" };
var seedOption = new Option<int>("--seed") { Description = "The seed the system holds (Seed:Value)", DefaultValueFactory = _ => 2026 };
var citizensOption = new Option<string>("--citizens") { Description = "The seed's citizens 'from..to' a run names and may change (events kill people, correct names)", DefaultValueFactory = _ => "4000..5000" };
var jsonOption = new Option<bool>("--json") { Description = "Print the report as JSON" };
var timeoutOption = new Option<int>("--event-timeout") { Description = "Seconds to wait for each event the system must publish", DefaultValueFactory = _ => 30 };

var root = new RootCommand($"Run an agency's contract against a system standing in for it; {ExitCodes.Summary}")
{
    agencyArgument, urlArgument, brokerOption, keyOption, contractOption, mockOption, seedOption, citizensOption, jsonOption, timeoutOption,
};
root.SetAction(async (parsed, cancellationToken) =>
{
    var citizens = parsed.GetValue(citizensOption)!.Split("..");
    if (citizens.Length != 2 || !int.TryParse(citizens[0], out var from) || !int.TryParse(citizens[1], out var to))
    {
        Console.Error.WriteLine("lgsp conform: error: --citizens is from..to, e.g. 4000..5000");
        return ExitCodes.Usage;
    }
    if (!Uri.TryCreate(parsed.GetValue(urlArgument), UriKind.Absolute, out var system) || system.Scheme is not ("http" or "https"))
    {
        Console.Error.WriteLine("lgsp conform: error: the system's url is http://host:port");
        return ExitCodes.Usage;
    }
    Uri? broker = null;
    if (parsed.GetValue(brokerOption) is { } brokerText && (!Uri.TryCreate(brokerText, UriKind.Absolute, out broker) || broker.Scheme is not ("amqp" or "amqps")))
    {
        Console.Error.WriteLine("lgsp conform: error: --broker is amqp://user:password@host:port/");
        return ExitCodes.Usage;
    }
    var options = new ConformOptions(
        parsed.GetValue(agencyArgument)!, system,
        parsed.GetValue(keyOption) ?? Environment.GetEnvironmentVariable("LGSP_GATEWAY_KEY"),
        parsed.GetValue(contractOption), parsed.GetValue(mockOption), broker,
        parsed.GetValue(seedOption), from, to, TimeSpan.FromSeconds(parsed.GetValue(timeoutOption)));
    try
    {
        var report = await Conformance.RunAsync(options, cancellationToken);
        Console.Out.Write(parsed.GetValue(jsonOption) ? report.ToJson() + Environment.NewLine : report.ToText());
        return report.Conformant ? ExitCodes.Conformant : ExitCodes.NotConformant;
    }
    catch (ConformException e)
    {
        Console.Error.WriteLine($"lgsp conform: could not run: {e.Message}");
        return ExitCodes.CouldNotRun;
    }
});
var parsedArguments = root.Parse(args);
// A bad option is a usage error (2), never "not conformant" (1), which System.CommandLine's own exit code would say.
if (parsedArguments.Errors.Count > 0)
{
    foreach (var error in parsedArguments.Errors)
        Console.Error.WriteLine($"lgsp conform: error: {error.Message}");
    return ExitCodes.Usage;
}
return await parsedArguments.InvokeAsync();
