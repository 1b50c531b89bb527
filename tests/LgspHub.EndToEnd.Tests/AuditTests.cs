using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LgspHub.EndToEnd.Tests;

/// <summary>The audit as evidence: every person an access touches, stored before the answer leaves, in a chain a command verifies.</summary>
[Collection(HubTests.Name)]
public sealed class AuditTests(HubFixture hub)
{
    [Fact]
    public async Task A_birth_declaration_is_audited_for_the_mother_and_the_father()
    {
        var mother = hub.Mother(14);
        var father = hub.Citizens(Pool.Dossiers).First(c => c is { Sex: LgspHub.Contracts.Sex.Male, DateOfDeath: null } && c.DateOfBirth.Year is >= 1980 and <= 2000);

        var response = await hub.Gateway.PostAsJsonAsync("/api/civil-status/birth-dossiers", Dossiers.BirthRequest(mother, fatherId: father.PersonalId.Value));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var transaction = response.Headers.GetValues("X-Lgsp-Transaction-Id").Single();
        Assert.Contains(await AuditOfAsync(mother.PersonalId.Value), e => e.GetProperty("transactionId").GetString() == transaction);
        Assert.Contains(await AuditOfAsync(father.PersonalId.Value), e => e.GetProperty("transactionId").GetString() == transaction);
    }

    [Fact]
    public async Task A_parcel_read_is_audited_for_its_owner_whom_only_the_answer_names()
    {
        var owner = hub.Citizens(Pool.ReadOnly).Where(c => c.Parcels.Count > 0).Skip(5).First();
        var parcel = owner.Parcels[0];

        var response = await hub.Gateway.GetAsync($"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}");

        response.EnsureSuccessStatusCode();
        var transaction = response.Headers.GetValues("X-Lgsp-Transaction-Id").Single();
        // Stored before the answer left: no waiting for it.
        var entry = Assert.Single(await AuditOfAsync(owner.PersonalId.Value), e => e.GetProperty("transactionId").GetString() == transaction);
        Assert.Equal("land.read-parcel", entry.GetProperty("operation").GetString());
    }

    [Fact]
    public async Task The_verify_command_finds_the_hub_s_audit_intact_and_names_the_entry_altered_in_a_copy()
    {
        (await hub.Gateway.GetAsync($"/api/population/citizens/{hub.Citizens(Pool.ReadOnly).First().PersonalId}")).EnsureSuccessStatusCode();
        var copy = Path.Combine(Path.GetTempPath(), $"lgsp-audit-{Guid.NewGuid():N}.db");
        try
        {
            var (intact, intactOutput) = await VerifyAsync(hub.DatabasePath("gateway"));
            Assert.True(intact == 0, intactOutput);
            Assert.StartsWith("audit intact", intactOutput, StringComparison.Ordinal);

            await using (var connection = new SqliteConnection($"Data Source={hub.DatabasePath("gateway")};Mode=ReadOnly;Pooling=False"))
            {
                await connection.OpenAsync();
                await using var vacuum = connection.CreateCommand();
                vacuum.CommandText = $"VACUUM INTO '{copy}'";
                await vacuum.ExecuteNonQueryAsync();
            }
            await using (var connection = new SqliteConnection($"Data Source={copy};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var tamper = connection.CreateCommand();
                tamper.CommandText = "UPDATE Audit SET Officer = 'someone-else' WHERE Sequence = 1";
                Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
            }

            var (broken, brokenOutput) = await VerifyAsync(copy);
            Assert.True(broken == 1, brokenOutput);
            Assert.Contains("entry 1 ", brokenOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    private async Task<JsonElement[]> AuditOfAsync(string personalId) =>
        (await hub.Gateway.GetFromJsonAsync<JsonElement[]>($"/lgsp/audit?personalId={personalId}&limit=1000"))!;

    private static async Task<(int ExitCode, string Output)> VerifyAsync(string database)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = HubLayout.OutputDirectory(HubLayout.Repository.Gateway),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "LgspHub.Gateway.dll", "verify-audit", $"--ConnectionStrings:database=Data Source={database}" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output) + (await errors));
    }
}
