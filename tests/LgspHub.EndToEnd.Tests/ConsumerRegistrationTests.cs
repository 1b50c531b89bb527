using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// A consumer system registered with `./lgsp consumers add` while the hub runs: it gets a token and calls what its
/// rights name, is refused the rest, and after `./lgsp consumers revoke` is refused everything; both audited.
/// </summary>
[Collection(HubTests.Name)]
public sealed class ConsumerRegistrationTests(HubFixture hub)
{
    [Fact]
    public async Task A_consumer_added_with_the_command_calls_its_operations_until_it_is_revoked()
    {
        var id = $"e2e.clinic-{Guid.NewGuid():N}"[..24];
        var parcel = hub.Citizens(Pool.ReadOnly).Where(c => c.Parcels.Count > 0).Skip(7).First().Parcels[0];
        var parcelPath = $"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}";

        var (added, output) = await LgspAsync("consumers", "add", id, "--name", "Phòng khám thử nghiệm", "--rights", "land.read-parcel", "--rate", "50");

        Assert.True(added == 0, output);
        var secret = output.Split('\n').Single(line => line.StartsWith("client secret: ", StringComparison.Ordinal))["client secret: ".Length..].Trim();
        Assert.Contains("not shown again", output, StringComparison.Ordinal);
        using var clinic = await new TestConsumer(id, ["land.read-parcel"]) { Secret = secret }.ClientAsync(hub.GatewayUrl);
        Assert.Equal(HttpStatusCode.OK, (await clinic.GetAsync(parcelPath)).StatusCode);
        // Its token is the gateway's to check: straight to the agency's port it opens nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, (await clinic.GetAsync(new Uri(hub.Hosts["land"].Url, parcelPath))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await clinic.GetAsync($"/api/population/citizens/{hub.Citizens(Pool.ReadOnly).First().PersonalId}")).StatusCode);
        var (listed, list) = await LgspAsync("consumers", "list");
        Assert.True(listed == 0, list);
        Assert.Contains(list.Split('\n'), line => line.StartsWith($"{id}\tapi\tactive\tland.read-parcel", StringComparison.Ordinal));
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);

        var (revoked, revokeOutput) = await LgspAsync("consumers", "revoke", id);

        Assert.True(revoked == 0, revokeOutput);
        Assert.Equal(HttpStatusCode.Unauthorized, (await clinic.GetAsync(parcelPath)).StatusCode);
        using var http = new HttpClient { BaseAddress = hub.GatewayUrl };
        var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = id, ["client_secret"] = secret,
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
        var (again, againOutput) = await LgspAsync("consumers", "add", id, "--name", "again", "--rights", "land.read-parcel");
        Assert.Equal(1, again);
        Assert.Contains("409", againOutput, StringComparison.Ordinal);

        // The audit says who did what to which consumer, and nothing of the secret.
        var audit = await hub.Gateway.GetFromJsonAsync<JsonElement[]>($"/lgsp/audit?consumer={Operators.Development.Id}&limit=1000");
        var entries = audit!.Where(e => e.GetProperty("target").GetString() == id).Select(e => e.GetProperty("operation").GetString()!).ToArray();
        Assert.Equal(["lgsp.revoke-consumer", "lgsp.register-consumer"], entries);
        Assert.DoesNotContain(audit!, e => e.ToString().Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_command_names_what_is_wrong_with_a_registration_and_registers_nothing()
    {
        var (code, output) = await LgspAsync("consumers", "add", "Bad Id", "--name", "x", "--rights", "land.no-such-operation");

        Assert.Equal(1, code);
        Assert.Contains("HTTP 400", output, StringComparison.Ordinal);
        Assert.Contains("id:", output, StringComparison.Ordinal);
        Assert.Contains("land.no-such-operation", output, StringComparison.Ordinal);
    }

    /// <summary>Runs the repository's lgsp script against the suite's gateway, as its development operator.</summary>
    private async Task<(int ExitCode, string Output)> LgspAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(HubLayout.RepositoryRoot, "lgsp"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["LGSP_GATEWAY_URL"] = hub.GatewayUrl.ToString().TrimEnd('/') },
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }
}
