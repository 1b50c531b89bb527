using LgspHub.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
builder.AddHub(HubSettings.From(builder.Configuration, builder.AppHostDirectory));
builder.Build().Run();
