using System.CommandLine;
using LgspHub.Cli.Broker;
using LgspHub.Cli.Hub;
using LgspHub.Cli.Machine;
using LgspHub.Cli.Operations;
using LgspHub.Cli.Testing;
using LgspHub.Cli.Tools;

// ./lgsp: run, stop, test and operate the hub on one machine. Everything it creates lives under .lgsp/ (git-ignored).
// Written to a log (CI), tables get room rather than the default 80 columns.
if (Console.IsOutputRedirected)
    Spectre.Console.AnsiConsole.Profile.Width = 160;
var layout = HubRepository.Find();
var root = new RootCommand("LgspHub on one machine: run it, test it, operate it, load it and measure it. "
    + "The hosts run in the Development environment (ASPNETCORE_ENVIRONMENT), with the development hub's consumers, keys and secrets.")
{
    HubCommands.Up(layout),
    HubCommands.Down(layout),
    TestCommand.Create(layout),
    ErrorQueueCommands.Errors(layout),
    ErrorQueueCommands.Replay(layout),
    FaultsCommand.Create(layout),
    ConsumersCommand.Create(layout),
    ToolCommands.Load(layout),
    ToolCommands.Conform(layout),
    ToolCommands.Bench(layout),
    BrokerCommand.Create(layout),
};

// ./lgsp alone, or ./lgsp help as the bash script had it, shows the commands.
var parsed = root.Parse(args is [] or ["help"] ? ["--help"] : args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
        Say.Warn($"error: {error.Message}");
    Say.Warn("see ./lgsp --help");
    return ExitCodes.Usage;
}
try
{
    // Ctrl-C and SIGTERM cancel the command, which then stops what it started (the AppHost takes up to a minute).
    return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(90), EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException)
{
    Say.Warn("interrupted");
    return ExitCodes.Interrupted;
}
catch (CliException e)
{
    Say.Warn($"error: {e.Message}");
    if (e is UsageException)
        Say.Warn("see ./lgsp --help");
    return e.ExitCode;
}
