using System.CommandLine;
using System.Net;
using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Operations;

/// <summary>./lgsp faults &lt;agency&gt; [off | key=value …]: fault injection into a running agency, every instance of it.</summary>
internal static class FaultsCommand
{
    public static Command Create(HubRepository layout)
    {
        var agency = new Argument<string>("agency") { Description = "The agency" };
        var settings = new Argument<string[]>("settings") { Description = $"off, or key=value merged into the current faults: {FaultChange.Settings}", Arity = ArgumentArity.ZeroOrMore };
        var faults = new Command("faults", "Inject faults into a running agency, show them (no setting) or clear them all (off). Shares 0..1 of API requests "
            + "answered 503 (errorRate), hung past the gateway's 10 s timeout (timeoutRate), consume attempts failing into error queues "
            + "(consumerFailureRate); outage=true|false; latency.rate, latency.distribution (fixed: meanMs; uniform: minMs..maxMs; exponential: "
            + "minMs + a tail of mean meanMs, capped at maxMs). E.g. ./lgsp faults land errorRate=0.002 outage=true")
        { agency, settings };
        faults.SetAction(async (parsed, cancellationToken) =>
        {
            var host = AgencyAdmin.Agency(layout, parsed.GetValue(agency)!);
            var change = FaultChange.Parse(parsed.GetValue(settings) ?? []);
            var admin = new AgencyAdmin(layout);
            // Settings live in each process: a change goes to every instance that runs (up --instances).
            var instances = layout.Run.UrlsOf(host);
            var shown = "";
            foreach (var (instance, index) in instances.Select((url, i) => (url, i)))
            {
                var answer = await admin.SendAsync(change.Method, instance, "faults", AgencyAdmin.Timeout, change.Body, cancellationToken);
                if (answer.Status == HttpStatusCode.BadRequest)
                {
                    // The agency names each setting it refused (out of range, or a latency its distribution cannot use).
                    foreach (var (field, errors) in answer.FieldErrors())
                        Say.Warn($"error: {field}: {errors}");
                    return ExitCodes.Usage;
                }
                if (answer.Status != HttpStatusCode.OK)
                    throw new CliException(index == 0
                        ? AgencyAdmin.Failure(host.Name, instance, answer)
                        : $"{host.Name} at {instance} did not take the change ({AgencyAdmin.Failure(host.Name, instance, answer)}); the instances before it did");
                if (index == 0)
                    shown = answer.Body?.GetRawText() ?? "";
                if (change.Method == HttpMethod.Get)
                    break;
            }
            Console.WriteLine($"{host.Name}: {shown}");
            return 0;
        });
        return faults;
    }
}
