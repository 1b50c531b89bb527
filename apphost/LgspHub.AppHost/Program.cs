using LgspHub.AppHost;

// The dashboard over http on 127.0.0.1 (appsettings.json): these machines have no trusted development certificate.
var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, AllowUnsecuredTransport = true });
builder.AddHub(HubSettings.From(builder.Configuration, builder.AppHostDirectory));
builder.Build().Run();
