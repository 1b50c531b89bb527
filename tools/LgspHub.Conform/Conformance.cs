using LgspHub.Contracts;

namespace LgspHub.Conform;

/// <summary>What a run is asked to check.</summary>
/// <param name="Agency">The agency whose contract is run: population, civil-status, land, health-insurance.</param>
/// <param name="System">The system under test, as the gateway would reach it.</param>
/// <param name="GatewayKey">The key the gateway presents to it (Authorization: LgspGateway &lt;key&gt;).</param>
/// <param name="Contract">The OpenAPI document (URL or file); null: the hub's own mock, from <paramref name="MockAssembly"/>.</param>
/// <param name="Broker">The hub's broker, as a user that may publish and bind every event's exchange; null: events not checked.</param>
/// <param name="Citizens">The seed's citizens a run may name and change (deaths, corrections).</param>
public sealed record ConformOptions(
    string Agency, Uri System, string? GatewayKey, string? Contract, string? MockAssembly, Uri? Broker,
    int Seed, int CitizensFrom, int CitizensTo, TimeSpan EventTimeout);

public static class Conformance
{
    public static async Task<ConformanceReport> RunAsync(ConformOptions options, CancellationToken cancellationToken = default)
    {
        if (!HubAgencies.All.Contains(options.Agency))
            throw new ConformException($"unknown agency {options.Agency} (one of {string.Join(", ", HubAgencies.All)})");
        var (json, from) = await ContractSource.LoadAsync(options.Agency, options.Contract, options.MockAssembly, cancellationToken);
        var contract = OpenApiContract.Parse(json);
        var province = new ProvinceValues(options.Seed, options.CitizensFrom, options.CitizensTo);
        var report = new ConformanceReport(options.Agency, options.System, from);
        using var http = new HttpClient { BaseAddress = new Uri(options.System.ToString().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(15) };
        var system = new SystemClient(http, options.GatewayKey);
        await new OperationChecks(contract, system, province).RunAsync(report, cancellationToken);
        if (options.Broker is null)
            report.EventsNote = "not checked: no --broker given";
        else
            await EventChecks.RunAsync(options, report, system, province, cancellationToken);
        return report;
    }
}
