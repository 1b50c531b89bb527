using System.CommandLine;
using System.Globalization;
using LgspHub.Load;
using LgspHub.Load.Outputs;
using LgspHub.Load.Reporting;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;
using Spectre.Console;

// Figures in reports and on the console read the same on every machine.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// Written to a log (CI), the tables get room for operation names rather than the default 80 columns.
if (Console.IsOutputRedirected)
    AnsiConsole.Profile.Width = 160;

var scenarioArgument = new Argument<string>("scenario") { Description = "A shipped scenario (see list) or the path of a scenario file" };
var gatewayOption = new Option<string>("--gateway") { Description = "The hub's gateway", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
var outOption = new Option<string?>("--out") { Description = "Folder for result.json and report.html (default: load-results/<scenario>-<time>)" };
var timeScaleOption = new Option<double?>("--time-scale") { Description = "Divide every duration by this (default: the scenario's timeScale, else 1): 144 plays a day's shape in 10 minutes" };
var rateScaleOption = new Option<double?>("--rate-scale") { Description = "Multiply every rate by this (default: the scenario's rateScale, else 1): with --time-scale 144 too, a whole day's volume in 10 minutes" };
var citizensOption = new Option<string?>("--citizens") { Description = "Citizens 'from..to' of the hub's seed to draw people from, instead of the scenario's province range: a hub seeded with more (Seed__Citizens) has more to die, own land and hold cards" };
citizensOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<string?>() is { } range
        && (!ProvinceRange.TryParseCitizens(range, out var from, out var to) || to - from < ProvinceRange.MinCitizens))
        result.AddError($"--citizens must be {ProvinceRange.CitizensFormat}, at least {ProvinceRange.MinCitizens} of them (was '{range}').");
});
var outputOption = OutputSpec.Option();
foreach (var scale in new[] { timeScaleOption, rateScaleOption })
    scale.Validators.Add(result => { if (result.GetValueOrDefault<double?>() is not (null or (> 0 and <= 100_000))) result.AddError($"{result.Option.Name} must be above 0 and at most 100000."); });

var run = new Command("run", $"Run a scenario against a running hub; {ExitCodes.Summary}") { scenarioArgument, gatewayOption, outOption, timeScaleOption, rateScaleOption, citizensOption, outputOption };
run.SetAction(async (parsed, cancellationToken) =>
{
    var specs = parsed.GetValue(outputOption) ?? [];
    var stdout = Console.Out;
    if (specs.Any(OutputSpec.ToStandardOutput))
        ConsoleView.MoveToStandardError();   // standard output is for the JSON lines
    if (!TryLoad(parsed.GetValue(scenarioArgument)!, out var scenario) || !TryGateway(parsed.GetValue(gatewayOption)!, out var gateway))
        return ExitCodes.Usage;
    scenario = scenario.Scaled(parsed.GetValue(timeScaleOption) ?? scenario.TimeScale, parsed.GetValue(rateScaleOption) ?? scenario.RateScale);
    if (parsed.GetValue(citizensOption) is { } citizens && ProvinceRange.TryParseCitizens(citizens, out var from, out var to))
        scenario = scenario with { Province = scenario.Province with { From = from, To = to } };
    var folder = parsed.GetValue(outOption) ?? Path.Combine("load-results", $"{scenario.Name}-{DateTime.Now:yyyyMMdd-HHmmss}");
    var console = new ConsoleView(AnsiConsole.Console);
    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(scenario.Name)}[/]: {ArrivalSchedule.Count(scenario.Stages):#,0} arrivals over {DurationText.Format(scenario.Duration)}"
        + $" (then up to {DurationText.Format(scenario.Drain)} for dossiers to end) against {gateway}");
    RunResult result;
    if (!OutputSpec.TryCreate(specs, stdout, out var outputs, out var problem))
    {
        AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(problem)}");
        return ExitCodes.Usage;
    }
    try
    {
        result = await new LoadRunner(scenario, gateway, outputs: outputs).RunAsync(console.Show, cancellationToken);
    }
    catch (LoadException e)
    {
        AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
        return ExitCodes.HubUnavailable;
    }
    finally
    {
        foreach (var output in outputs)
            await output.DisposeAsync();
    }
    await result.WriteAsync(folder);
    console.Summary(result, folder);
    return ExitCodes.Of(result);
});

var validate = new Command("validate", "Check a scenario file and say what it would do") { scenarioArgument };
validate.SetAction(parsed =>
{
    if (!TryLoad(parsed.GetValue(scenarioArgument)!, out var scenario))
        return ExitCodes.Usage;
    scenario = scenario.Scaled(scenario.TimeScale, scenario.RateScale);
    AnsiConsole.MarkupLine($"[green]valid[/]: {Markup.Escape(scenario.Name)}, {ArrivalSchedule.Count(scenario.Stages):#,0} arrivals over {DurationText.Format(scenario.Duration)},"
        + $" {scenario.Mix.Count} flows, {scenario.Sequences.Count} sequences, {scenario.Checks.Count + scenario.Sequences.Values.Sum(q => q.Steps.Sum(s => s.Checks.Count))} checks,"
        + $" {scenario.Events.Count} events, {scenario.Thresholds.Count} thresholds");
    return ExitCodes.Passed;
});

var list = new Command("list", "The shipped scenarios");
list.SetAction(_ =>
{
    foreach (var name in ScenarioFile.Shipped())
        AnsiConsole.MarkupLine($"[bold]{name,-14}[/] {Markup.Escape(ScenarioFile.Load(name).Description)}");
    return ExitCodes.Passed;
});

var root = new RootCommand("LgspHub's load generator: open-model traffic through the gateway as real consumers, thresholds, reports") { run, validate, list };
// Ctrl-C stops the arrivals; the run then clears the faults it set and writes its report, which takes seconds.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });

static bool TryLoad(string nameOrPath, out Scenario scenario)
{
    try
    {
        scenario = ScenarioFile.Load(nameOrPath);
        return true;
    }
    catch (ScenarioException e)
    {
        AnsiConsole.MarkupLine($"[red]invalid scenario[/] {Markup.Escape(e.File)}:");
        foreach (var problem in e.Problems)
            AnsiConsole.MarkupLine($"  - {Markup.Escape(problem)}");
        scenario = null!;
        return false;
    }
}

static bool TryGateway(string text, out Uri gateway)
{
    if (Uri.TryCreate(text, UriKind.Absolute, out gateway!) && gateway.Scheme is "http" or "https")
        return true;
    AnsiConsole.MarkupLine($"[red]error:[/] --gateway must be an http(s) URL, not '{Markup.Escape(text)}'");
    return false;
}
