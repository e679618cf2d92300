"""The review workspace's routes, one module per area; each ``router(workspace)`` returns an APIRouter."""
