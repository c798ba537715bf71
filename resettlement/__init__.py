"""回迁安置管理系统: resettlement housing management.

The code is layered; a module imports only from its own app or from a layer below it, never
from a layer above (not even inside a function). Lowest first:

1. this package's top-level modules: shared infrastructure (storage, geometry, history,
   lifecycle, masking, id and phone numbers, input values, documents, ...);
2. ``projects``: districts, villages, projects and their rules;
3. ``accounts``: users, roles, access to projects;
4. ``housing`` (buildings, flats, a building's phase), ``households`` (with their access
   codes) and ``archive`` (stored documents, kept for whoever acted);
5. ``progress``: the milestones of buildings, and the set-up of projects and buildings that
   comes with them (``project_create``, ``building_create``);
6. ``lottery``: rosters, draws, notices;
7. ``selection``: selection days, selections, and the lottery steps that reach selections
   (``selection.lotteries``: publishing a lottery, re-drawing one);
8. ``handover``: batches, appointments, inspection and defects, the handover of keys, and the
   bulk printing of households' documents; ``imports``: registers read into the layers below;
9. ``demo``: a whole project in every state, made through the layers below;
   ``household_status``: what a household sees of its own record at /my/, and its sign-in;
10. ``maps``: geodata pages and files;
11. ``reports``: the leadership's progress report (figures as of any day, from the history
    tables; PDF with charts and the map, workbook); then ``api`` on top.

Views, admin, URL configurations and management commands form the web layer: they may
import any app. Models, services, lifecycles, validation and tasks may not reach upwards;
whatever drives a higher app lives on that app's side. tests/test_layers.py holds the rule.
"""
