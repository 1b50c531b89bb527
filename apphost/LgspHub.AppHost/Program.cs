using LgspHub.AppHost;
using Microsoft.Extensions.Configuration;

// Hub:Dashboard=false (./lgsp up --no-dashboard) runs no dashboard: at 600 requests/s it takes about a tenth of the
// hub's CPU, which a load run may want back. It is read before the builder, which needs it to start.
var dashboard = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build().GetValue("Hub:Dashboard", true);
// The dashboard over http on 127.0.0.1 (appsettings.json): these machines have no trusted development certificate.
var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, AllowUnsecuredTransport = true, DisableDashboard = !dashboard });
builder.AddHub(HubSettings.From(builder.Configuration, builder.AppHostDirectory));
builder.Build().Run();
