using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.CivilStatus.Dossiers;
using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.CivilStatus.Tests;

public sealed class IdempotencyTests : IAsyncLifetime
{
    private CivilStatusHost _host = null!;

    public async Task InitializeAsync() => _host = await CivilStatusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static object Birth(string childName = "Trần Gia Bảo", string mother = "049188309340", string street = "Thôn 4") => new
    {
        child = new { fullName = childName, sex = "Male", dateOfBirth = "2026-01-10", placeOfBirth = "Bệnh viện Đa khoa tỉnh Quảng Nam" },
        motherPersonalId = mother,
        residence = new { communeCode = "20401", street },
    };

    private static object Death() => new { deceasedPersonalId = "049188309340", dateOfDeath = "2026-01-10", placeOfDeath = "Tại nhà" };

    private async Task<HttpResponseMessage> SubmitAsync(string kind, object request, string key, string? consumer)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/api/civil-status/{kind}-dossiers") { Content = JsonContent.Create(request) };
        message.Headers.Add(DossierApi.IdempotencyHeader, key);
        if (consumer is not null)
            message.Headers.Add(HubHeaders.Consumer, consumer);
        return await _host.Client.SendAsync(message);
    }

    private static async Task<Guid> AcceptedIdAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dossierId").GetGuid();
    }

    [Fact]
    public async Task Same_key_and_same_declaration_answers_the_original_dossier()
    {
        var first = await AcceptedIdAsync(await SubmitAsync("birth", Birth(), "retry-1", "commune.justice-office"));
        // Spacing that validation trims away does not make it another declaration.
        var second = await AcceptedIdAsync(await SubmitAsync("birth", Birth(childName: "  Trần Gia Bảo "), "retry-1", "commune.justice-office"));

        Assert.Equal(first, second);
        Assert.Equal(1, await _host.ReadAsync(db => db.Dossiers.CountAsync()));
    }

    [Fact]
    public async Task Same_key_from_another_consumer_is_a_new_dossier()
    {
        var first = await AcceptedIdAsync(await SubmitAsync("birth", Birth(), "key-1", "commune.justice-office"));
        var second = await AcceptedIdAsync(await SubmitAsync("birth", Birth(childName: "Lê Thị Hoa"), "key-1", "hospital.quang-nam-general"));

        Assert.NotEqual(first, second);
        var declaration = await _host.ReadAsync(db => db.Dossiers.Where(d => d.Id == second).Select(d => d.Declaration).SingleAsync());
        Assert.Equal("Lê Thị Hoa", JsonSerializer.Deserialize<BirthDeclared>(declaration, DossierJson.Options)!.ChildFullName);
    }

    [Fact]
    public async Task Same_key_with_a_different_declaration_is_a_422_problem_and_makes_no_dossier()
    {
        var first = await AcceptedIdAsync(await SubmitAsync("birth", Birth(), "key-2", "commune.justice-office"));

        var response = await SubmitAsync("birth", Birth(street: "Thôn 5"), "key-2", "commune.justice-office");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(422, problem.GetProperty("status").GetInt32());
        Assert.Contains(DossierApi.IdempotencyHeader, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal([first], await _host.ReadAsync(db => db.Dossiers.Select(d => d.Id).ToListAsync()));
    }

    [Fact]
    public async Task Same_key_for_a_death_dossier_is_not_the_birth_dossier()
    {
        var birth = await AcceptedIdAsync(await SubmitAsync("birth", Birth(), "key-3", "commune.justice-office"));

        var response = await SubmitAsync("death", Death(), "key-3", "commune.justice-office");

        var death = await AcceptedIdAsync(response);
        Assert.NotEqual(birth, death);
        Assert.Equal(DossierKind.Death, await _host.ReadAsync(db => db.Dossiers.Where(d => d.Id == death).Select(d => d.Kind).SingleAsync()));
    }

    [Fact]
    public async Task A_key_sent_at_once_twice_with_the_same_declaration_makes_one_dossier()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SubmitAsync("birth", Birth(), "key-4", "commune.justice-office")));

        var ids = await Task.WhenAll(answers.Select(AcceptedIdAsync));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await _host.ReadAsync(db => db.Dossiers.CountAsync()));
    }
}
