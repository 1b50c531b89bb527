// A consumer's program written against the client Kiota generated from the hub's combined OpenAPI document, and
// nothing else: the base URL, the token endpoint, the models and the problem types all come from the document.
// Arguments: client id, client secret, a living citizen's personal ID (the mother), a commune code for the residence,
// the names of the purpose and officer headers (the hub's constants, given by the test), and a well-formed personal ID
// no citizen has.
// Prints one line per step; exits 0 when every step went as the document says.
using Lgsp.Client;
using Lgsp.Client.Connect.Token;
using Lgsp.Client.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

var (clientId, secret, mother, commune, purposeHeader, officerHeader, nobody) = (args[0], args[1], args[2], args[3], args[4], args[5], args[6]);
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
var cancellationToken = deadline.Token;

// The token, from the document's token endpoint, with no credentials yet.
var anonymous = new HubClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider()));
var token = await anonymous.Connect.Token.PostAsync(
    new TokenPostRequestBody { GrantType = TokenPostRequestBody_grant_type.Client_credentials, ClientId = clientId, ClientSecret = secret },
    cancellationToken: cancellationToken) ?? throw new InvalidOperationException("The token endpoint answered nothing.");
Console.WriteLine($"token: {token.TokenType}, {token.ExpiresIn} s");

var adapter = new HttpClientRequestAdapter(new Bearer(token.AccessToken!));
var hub = new HubClient(adapter);
// Kiota leaves header parameters to the caller: the document names them and says they are required.
void PersonalData(RequestConfiguration<DefaultQueryParameters> request)
{
    request.Headers.Add(purposeHeader, "dev.kiota-client");
    request.Headers.Add(officerHeader, "officer-001");
}

var citizen = await hub.Api.Population.Citizens[mother].GetAsync(PersonalData, cancellationToken)
    ?? throw new InvalidOperationException("The citizen read answered nothing.");
Console.WriteLine($"read: a citizen, alive {citizen.Alive}");

try
{
    await hub.Api.Population.Citizens[nobody].GetAsync(PersonalData, cancellationToken);
    throw new InvalidOperationException("An unknown personal ID was answered.");
}
catch (ProblemDetails problem) when (problem.ResponseStatusCode == 404)
{
    Console.WriteLine($"404: ProblemDetails, title \"{problem.Title}\", status {problem.Status}");
}

try
{
    await hub.Api.Population.Citizens["123"].GetAsync(PersonalData, cancellationToken);
    throw new InvalidOperationException("A personal ID of three digits was answered.");
}
catch (HttpValidationProblemDetails problem) when (problem.ResponseStatusCode == 400)
{
    Console.WriteLine($"400: HttpValidationProblemDetails, errors on {string.Join(", ", problem.Errors?.AdditionalData.Keys ?? [])}");
}

var accepted = await hub.Api.CivilStatus.BirthDossiers.PostAsync(new BirthDossierRequest
{
    Child = new ChildRequest { FullName = "Lê Minh Khôi", Sex = Sex.Male, DateOfBirth = new Date(DateTime.UtcNow.AddDays(-1)), PlaceOfBirth = "Bệnh viện Đa khoa Quảng Nam" },
    MotherPersonalId = mother,
    Residence = new ResidenceRequest { CommuneCode = commune, Street = "45 Trần Phú" },
}, PersonalData, cancellationToken) ?? throw new InvalidOperationException("The birth dossier was answered with nothing.");
Console.WriteLine($"dossier: accepted, {accepted.Kind}");

// Followed until Completed, within the deadline above; each look waits a little longer than the one before.
var wait = TimeSpan.FromMilliseconds(100);
DossierResponse? dossier = null;
try
{
    while (true)
    {
        dossier = await hub.Api.CivilStatus.Dossiers[accepted.DossierId!.Value].GetAsync(PersonalData, cancellationToken);
        if (dossier?.State == DossierState.Completed)
        {
            var issued = dossier.Steps!.Single(step => step.Name == "personal-id-and-residence").Outputs?.PersonalId;
            Console.WriteLine($"dossier: Completed, {dossier.Steps!.Count} steps, child's personal ID issued: {issued is { Length: 12 }}");
            return 0;
        }
        if (dossier?.State is DossierState.Rejected or DossierState.Failed)
            throw new InvalidOperationException($"The dossier ended {dossier.State}: {dossier.Reason}");
        await Task.Delay(wait, cancellationToken);
        wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 1000));
    }
}
catch (OperationCanceledException) when (deadline.IsCancellationRequested)
{
    throw new TimeoutException($"The dossier was not Completed in time: {dossier?.State}, steps "
        + string.Join(", ", dossier?.Steps?.Select(step => $"{step.Name} {step.State}") ?? []));
}

/// <summary>The token on every request (Kiota's own bearer provider refuses plain http, which the local hub speaks).</summary>
sealed class Bearer(string token) : IAuthenticationProvider
{
    public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        request.Headers.Add("Authorization", $"Bearer {token}");
        return Task.CompletedTask;
    }
}
